import { describe, expect, it } from "vitest";
import { AppError } from "../../common/errors.ts";
import { paramNameProblem, resolveParams } from "./params.ts";

describe("parameter names", () => {
  it.each([
    "PATH",
    "path",
    "HOME",
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "IFS",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "SLUICE_LEASE_ID",
    "sluice_build_id",
    "BASH_FUNC_x",
    "NODE_OPTIONS",
    "PYTHONPATH",
    "PERL5OPT",
    "GLIBC_TUNABLES",
    "GIT_SSH_COMMAND",
    "LC_ALL",
    "LANG",
  ])("%s is reserved", (name) => {
    expect(paramNameProblem(name)).toMatch(/reserved/);
  });

  it.each(["TARGET", "deploy_env", "_X", "MODE2", "NODE_ENV", "PATHLIKE"])("%s may be a parameter", (name) => {
    expect(paramNameProblem(name)).toBeNull();
  });

  it.each(["1X", "A-B", "", "x".repeat(65), "A B"])("%j is not a name", (name) => {
    expect(paramNameProblem(name)).toMatch(/must be/);
  });
});

describe("resolving a trigger's parameters", () => {
  const declared = { MODE: { options: ["fast", "slow"], default: "fast" }, TARGET: {}, NOTE: { default: "n" } };

  it("applies defaults and keeps given values", () => {
    expect(resolveParams(declared, { TARGET: "eu" })).toEqual({ MODE: "fast", TARGET: "eu", NOTE: "n" });
    expect(resolveParams(declared, { MODE: "slow" })).toEqual({ MODE: "slow", NOTE: "n" });
  });

  it("refuses an undeclared name, naming it and what is declared", () => {
    expect(() => resolveParams(declared, { BASH_ENV: "x", OTHER: "y" })).toThrow(
      /"BASH_ENV", "OTHER".*MODE, TARGET, NOTE/,
    );
    expect(() => resolveParams({}, { X: "1" })).toThrow(/declares no parameters/);
  });

  it("refuses a value outside the options", () => {
    try {
      resolveParams(declared, { MODE: "medium" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("invalid_input");
      expect((err as AppError).message).toContain("MODE");
    }
  });

  it("reads own names only", () => {
    expect(() => resolveParams(declared, { constructor: "x" })).toThrow(/Unknown parameter "constructor"/);
    expect(resolveParams({}, {})).toEqual({});
  });
});
