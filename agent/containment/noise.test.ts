import { describe, expect, it } from "vitest";
import { withoutContainmentNoise } from "./noise.ts";

describe("the containment's own noise in a step's stderr", () => {
  it("drops unshare's complaint about its killed namespace and keeps everything else", () => {
    const noise = "unshare: sigprocmask unblock failed: Invalid argument\n";
    expect(withoutContainmentNoise(Buffer.from(noise)).toString()).toBe("");
    expect(withoutContainmentNoise(Buffer.from(`step says hi\n${noise}`)).toString()).toBe("step says hi\n");
    const mine = Buffer.from("echo unshare: sigprocmask is fine in the middle of a line\n");
    expect(withoutContainmentNoise(mine)).toBe(mine);
  });
});
