import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline } from "../../engine/test/harness.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

/** Opens a stream and waits for its headers (the server has registered it by then); returns a reader. */
async function openStream(url: string, headers: Record<string, string>) {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return (res.body as ReadableStream<Uint8Array>).getReader();
}

/** Resolves when the server ends the stream. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  while (!(await reader.read()).done) {}
}

/** MaxListenersExceededWarnings emitted while `fn` runs (warnings arrive on a later tick). */
async function listenerWarnings(fn: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (w: Error) => {
    if (w.name === "MaxListenersExceededWarning") warnings.push(w.message);
  };
  process.on("warning", onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  return warnings;
}

describe.each(DATABASES)("many open streams on $name", (db) => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.destroy();
  });

  it("twelve browser streams through the BFF add no MaxListenersExceededWarning and all end when the BFF stops", async () => {
    stack = await startStack({ db, slots: 0 });
    await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
    const warnings = await listenerWarnings(async () => {
      for (let i = 0; i < 12; i++) {
        const path = i % 2 === 0 ? "/api/stream?topics=project:acme" : "/api/stream?topics=pipeline:acme/web";
        readers.push(await openStream(stack.bff.url + path, { Cookie: browser.cookie as string }));
      }
    });
    expect(warnings).toEqual([]);
    await stack.bff.stop();
    await Promise.all(readers.map(drain));
  });

  it("twelve engine event streams add no MaxListenersExceededWarning and all end when the engine stops", async () => {
    stack = await startStack({ db, slots: 0 });
    const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
    const api = stack.engine.api;
    const warnings = await listenerWarnings(async () => {
      for (let i = 0; i < 12; i++) {
        readers.push(await openStream(`${api.url}/v1/events`, { Authorization: `Bearer ${api.token}` }));
      }
    });
    expect(warnings).toEqual([]);
    await stack.engine.stop();
    await Promise.all(readers.map(drain));
  });
});
