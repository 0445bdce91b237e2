import { describe, expect, it } from "vitest";
import { branchMatches, branchPatternsProblem } from "./branch-filter.ts";

/** The examples of GitHub's "filter pattern cheat sheet", as branch filters. */
const CHEAT_SHEET: [string, string[], string[]][] = [
  ["feature/*", ["feature/my-branch", "feature/your-branch"], ["feature/a/b", "feature", "main"]],
  ["feature/**", ["feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat"], ["features/x"]],
  ["main", ["main"], ["main2", "amain", "releases/main"]],
  ["*", ["main", "releases"], ["releases/10", "feature/x"]],
  ["**", ["main", "releases/10", "a/b/c"], []],
  ["*feature", ["mona-feature", "feature", "ver-10-feature"], ["feature/x", "features"]],
  ["v2*", ["v2", "v2.0", "v2.9"], ["v1", "v2/x"]],
  ["v[12].[0-9]+.[0-9]+", ["v1.10.1", "v2.0.0"], ["v3.0.0", "v1.0", "v1.a.1"]],
  ["releases/**-beta", ["releases/10-beta", "releases/a/b-beta"], ["releases/10"]],
  ["fixe?s", ["fixes", "fixs"], ["fixees"]],
  ["a\\*b", ["a*b"], ["axb"]],
];

describe("branch filters (GitHub's pattern semantics)", () => {
  it.each(CHEAT_SHEET)("%s", (pattern, yes, no) => {
    for (const b of yes) expect(branchMatches(b, { branches: [pattern] }), `${pattern} ~ ${b}`).toBe(true);
    for (const b of no) expect(branchMatches(b, { branches: [pattern] }), `${pattern} !~ ${b}`).toBe(false);
  });

  it("a leading ! excludes what the patterns before it included; the last match decides", () => {
    const branches = ["releases/**", "!releases/**-alpha"];
    expect(branchMatches("releases/10", { branches })).toBe(true);
    expect(branchMatches("releases/beta/mona", { branches })).toBe(true);
    expect(branchMatches("releases/10-alpha", { branches })).toBe(false);
    expect(branchMatches("main", { branches })).toBe(false);
    expect(branchMatches("releases/x-alpha", { branches: [...branches, "releases/x-*"] })).toBe(true);
  });

  it("without branches every branch passes unless an ignore pattern matches", () => {
    expect(branchMatches("anything/at/all", {})).toBe(true);
    expect(branchMatches("docs/readme", { ignore: ["docs/**"] })).toBe(false);
    expect(branchMatches("main", { branches: ["*"], ignore: ["main"] })).toBe(false);
    expect(branchMatches("dev", { branches: ["*"], ignore: ["main"] })).toBe(true);
  });

  it("names what is wrong with a bad pattern", () => {
    expect(branchPatternsProblem(["main", "feature/*"])).toBeNull();
    expect(branchPatternsProblem(["[abc"])).toMatch(/unclosed/);
    expect(branchPatternsProblem(["?x"])).toMatch(/must follow/);
    expect(branchPatternsProblem(["!"])).toMatch(/empty/);
    expect(branchPatternsProblem(["[$]"])).toMatch(/letters, digits/);
  });
});
