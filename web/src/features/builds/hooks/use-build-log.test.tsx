import { act, renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { followedTopics, openStream } from "../../../test/fake-stream.ts";
import { useBuildLog } from "./use-build-log.ts";

const chunk = (id: number, text: string) => ({ id, jobId: 1, stream: "stdout" as const, text });

describe("a build's log on the page's stream", () => {
  it("shows the chunks in order once each, ends when the build has said everything, and then leaves the topic", async () => {
    const hook = renderHook(() => useBuildLog(7));
    const stream = await openStream("log:7");
    act(() => {
      stream.connect();
      stream.emit("log", { build: 7, chunks: [chunk(1, "one\n"), chunk(2, "two\n")], ended: false });
      // Sent again from the start (another tab opened the log): shown once.
      stream.emit("log", {
        build: 7,
        chunks: [chunk(1, "one\n"), chunk(2, "two\n"), chunk(3, "three\n")],
        ended: false,
      });
    });
    await vi.waitFor(() =>
      expect(hook.result.current.chunks.map((c) => c.text)).toEqual(["one\n", "two\n", "three\n"]),
    );
    expect(hook.result.current.ended).toBe(false);

    act(() => stream.emit("log", { build: 7, chunks: [chunk(4, "done\n")], ended: true }));
    expect(hook.result.current.ended).toBe(true);
    expect(hook.result.current.chunks.map((c) => c.id)).toEqual([1, 2, 3, 4]);
    await vi.waitFor(() => expect(followedTopics()).not.toContain("log:7"));
  });
});
