import type { StreamMessage } from "@common/page-stream.ts";
import { describe, expect, it, vi } from "vitest";
import { FakeEventSource } from "../../test/fake-event-source.ts";
import { followedTopics, openStream } from "../../test/fake-stream.ts";
import { operation } from "../../test/fixtures.ts";
import type { Receive } from "./owner-links.ts";
import { StreamClient, type StreamState, type Subscriber } from "./stream-client.ts";
import { StreamOwner } from "./stream-owner.ts";

/** Tabs of one browser around one owner, as the SharedWorker joins them. */
function browser() {
  const tabs = new Map<string, Receive>();
  const owner = new StreamOwner((message, to) => {
    for (const [tab, receive] of tabs) if (to === "all" || to.includes(tab)) receive(message);
  });
  const openTab = () =>
    new StreamClient((tab, receive) => {
      tabs.set(tab, receive);
      return {
        post: (message) => {
          if (message.type === "leave") tabs.delete(message.tab);
          owner.received(message);
        },
      };
    });
  return { openTab };
}

/** A subscriber that remembers what it was told. */
function recorder() {
  const seen: StreamMessage[] = [];
  const states: StreamState[] = [];
  const live = vi.fn();
  const subscriber: Subscriber = { message: (m) => void seen.push(m), state: (s) => void states.push(s), live };
  return { subscriber, seen, states, live, state: () => states.at(-1) };
}

const running = operation({ total: 5 });

function openSources(): FakeEventSource[] {
  return FakeEventSource.instances.filter((s) => s.readyState !== FakeEventSource.CLOSED);
}

describe("the browser's one stream", () => {
  it("carries every tab's topics on one connection and hands each message to the tabs that follow its topic", async () => {
    const { openTab } = browser();
    const [history, toast, centre] = [recorder(), recorder(), recorder()];
    const first = openTab();
    const second = openTab();
    first.subscribe("pipeline:demo/web-app", history.subscriber);
    first.subscribe("operation:op-1", toast.subscriber);
    second.subscribe("operations:demo", centre.subscriber);

    const stream = await openStream("operations:demo");
    expect(openSources()).toHaveLength(1);
    expect(followedTopics().sort()).toEqual(["operation:op-1", "operations:demo", "pipeline:demo/web-app"]);
    stream.connect();
    expect([history.state(), toast.state(), centre.state()]).toEqual(["live", "live", "live"]);

    stream.emit("operation", { topics: ["operation:op-1", "operations:demo"], operation: running });
    stream.emit("builds", { topics: ["pipeline:demo/web-app"], project: "demo", pipeline: "web-app", changes: [] });
    expect(toast.seen.map((m) => m.event)).toEqual(["operation"]);
    expect(centre.seen.map((m) => m.event)).toEqual(["operation"]);
    expect(history.seen.map((m) => m.event)).toEqual(["builds"]);
  });

  it("a change of topics replaces the connection, resuming only the topics that continue", async () => {
    const { openTab } = browser();
    const tab = openTab();
    const leave = tab.subscribe("pipeline:demo/web-app", recorder().subscriber);
    tab.subscribe("operation:op-1", recorder().subscriber);
    const first = await openStream("operation:op-1");
    first.connect();
    first.emit("operation", { operation: running }, "operation:op-1=40,pipeline:demo/web-app=41");

    leave();
    tab.subscribe("operations:demo", recorder().subscriber);
    await vi.waitFor(() => expect(first.source.readyState).toBe(FakeEventSource.CLOSED));
    const second = await openStream("operations:demo");
    const url = new URL(second.url, "http://localhost");
    expect(url.searchParams.get("topics")).toBe("operation:op-1,operations:demo");
    expect(url.searchParams.get("after")).toBe("operation:op-1=40");
    expect(openSources()).toHaveLength(1);
  });

  it("a log another tab opens while the stream carries it is sent again from its start; other topics just continue", async () => {
    const { openTab } = browser();
    const [first, second] = [openTab(), openTab()];
    first.subscribe("log:7", recorder().subscriber);
    first.subscribe("operations:demo", recorder().subscriber);
    const stream = await openStream("log:7");
    stream.connect();
    stream.emit("log", { build: 7, chunks: [], ended: false }, "log:7=12,operations:demo=40");

    second.subscribe("operations:demo", recorder().subscriber);
    second.subscribe("log:7", recorder().subscriber);
    await vi.waitFor(() => expect(stream.source.readyState).toBe(FakeEventSource.CLOSED));
    const again = await openStream("log:7");
    expect(new URL(again.url, "http://localhost").searchParams.get("after")).toBe("operations:demo=40");
  });

  it("follows nothing when no tab subscribes, and a tab that leaves takes its topics along", async () => {
    const { openTab } = browser();
    const [first, second] = [openTab(), openTab()];
    const stop = first.subscribe("project:demo", recorder().subscriber);
    second.subscribe("operations:demo", recorder().subscriber);
    await openStream("project:demo");
    stop();
    await vi.waitFor(() => expect(followedTopics()).toEqual(["operations:demo"]));
    window.dispatchEvent(new Event("pagehide"));
    await vi.waitFor(() => expect(openSources()).toHaveLength(0));
  });

  it("a refused topic is not live and is not asked for again until someone subscribes to it anew", async () => {
    const { openTab } = browser();
    const tab = openTab();
    const secret = recorder();
    const stop = tab.subscribe("project:secret", secret.subscriber);
    const stream = await openStream("project:secret");
    stream.connect();
    stream.emit("refused", { error: { code: "project_not_found", message: "no" } });
    expect(secret.seen.map((m) => m.event)).toEqual(["refused"]);
    expect(secret.state()).toBe("reconnecting");
    // Every topic of the connection was refused: the server ended it, and it is not reopened.
    expect(openSources()).toHaveLength(0);

    stop();
    tab.subscribe("project:secret", recorder().subscriber);
    await openStream("project:secret");
  });

  it("after a drop the state says so, and once back every subscriber is told to catch up", async () => {
    const { openTab } = browser();
    const tab = openTab();
    const history = recorder();
    tab.subscribe("pipeline:demo/web-app", history.subscriber);
    const stream = await openStream("pipeline:demo/web-app");
    stream.connect();
    stream.fail();
    expect(history.state()).toBe("reconnecting");
    expect(history.live).toHaveBeenCalledTimes(1);
    stream.connect();
    expect(history.state()).toBe("live");
    expect(history.live).toHaveBeenCalledTimes(2);
  });

  it("a topic that goes live tells its subscribers to read again once; a topic already live does not, nor do others when a topic is added", async () => {
    // What happened between the page's read and the topic going live is never sent: a new topic
    // starts from now. Without this a build canceled in that moment stayed Running on the page.
    const { openTab } = browser();
    const tab = openTab();
    const history = recorder();
    tab.subscribe("pipeline:demo/web-app", history.subscriber);
    const stream = await openStream("pipeline:demo/web-app");
    expect(history.live).not.toHaveBeenCalled();
    stream.connect();
    expect(history.live).toHaveBeenCalledTimes(1);

    const buildPage = recorder();
    tab.subscribe("pipeline:demo/web-app", buildPage.subscriber);
    expect(buildPage.state()).toBe("live");
    expect(buildPage.live).not.toHaveBeenCalled();

    const toast = recorder();
    tab.subscribe("operation:op-1", toast.subscriber);
    const replaced = await openStream("operation:op-1");
    replaced.connect();
    expect(toast.live).toHaveBeenCalledTimes(1);
    expect(history.live).toHaveBeenCalledTimes(1);
    expect(buildPage.live).not.toHaveBeenCalled();
  });

  it("a message that breaks the contract is dropped, not handed on", async () => {
    const { openTab } = browser();
    const tab = openTab();
    const history = recorder();
    tab.subscribe("pipeline:demo/web-app", history.subscriber);
    const stream = await openStream("pipeline:demo/web-app");
    stream.connect();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    stream.source.emit("builds", { topics: ["pipeline:demo/web-app"], changes: "all of them" });
    expect(history.seen).toEqual([]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
