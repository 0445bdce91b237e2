/**
 * How a tab reaches the owner of the browser's one stream: a SharedWorker where the browser has
 * them; else the tabs elect a leader with a Web Lock, which owns the stream and talks to the
 * others over a BroadcastChannel (when it closes, the next tab in line takes over); else (no
 * locks, or a test's jsdom) the tab owns a stream of its own.
 */
import { OwnerMessage, TabMessage, tabLock } from "./protocol.ts";
import { StreamOwner } from "./stream-owner.ts";

export type OwnerLink = { post: (message: TabMessage) => void };
export type Receive = (message: OwnerMessage) => void;

const NAME = "sluice-stream";

export function connectOwner(tab: string, receive: Receive): OwnerLink {
  if (typeof SharedWorker === "function") return sharedWorkerLink(receive);
  if (typeof BroadcastChannel === "function" && typeof navigator !== "undefined" && navigator.locks) {
    return leaderLink(tab, receive);
  }
  return localLink(tab, receive);
}

function sharedWorkerLink(receive: Receive): OwnerLink {
  const worker = new SharedWorker(new URL("./stream-worker.ts", import.meta.url), { type: "module", name: NAME });
  worker.port.onmessage = ({ data }: MessageEvent) => {
    const parsed = OwnerMessage.safeParse(data);
    if (parsed.success) receive(parsed.data);
  };
  return { post: (message) => worker.port.postMessage(message) };
}

/** The tabs' leader owns the stream; the others send it their topics and hear its messages. */
function leaderLink(tab: string, receive: Receive): OwnerLink {
  const channel = new BroadcastChannel(NAME);
  let owner: StreamOwner | undefined;
  const watched = new Set<string>();

  const fromTab = (message: TabMessage) => {
    if (!owner) return;
    if (message.tab !== tab && !watched.has(message.tab)) {
      watched.add(message.tab);
      void navigator.locks.request(tabLock(message.tab), () => owner?.leave(message.tab));
    }
    owner.received(message);
  };

  channel.onmessage = ({ data }: MessageEvent) => {
    const tabMessage = TabMessage.safeParse(data);
    if (tabMessage.success) {
      fromTab(tabMessage.data);
      return;
    }
    const ownerMessage = OwnerMessage.safeParse(data);
    if (ownerMessage.success && !owner) receive(ownerMessage.data);
  };

  void navigator.locks.request(`${NAME}-leader`, () => {
    owner = new StreamOwner((message, tabs) => {
      if (tabs === "all" || tabs.includes(tab)) receive(message);
      if (tabs === "all" || tabs.some((t) => t !== tab)) channel.postMessage(message);
    });
    // Everyone, this tab too, says again what they follow.
    receive({ type: "hello" });
    channel.postMessage({ type: "hello" } satisfies OwnerMessage);
    // Leader for as long as the tab lives.
    return new Promise<never>(() => {});
  });

  return { post: (message) => (owner ? fromTab(message) : channel.postMessage(message)) };
}

function localLink(tab: string, receive: Receive): OwnerLink {
  const owner = new StreamOwner((message, tabs) => {
    if (tabs === "all" || tabs.includes(tab)) receive(message);
  });
  return { post: (message) => owner.received(message) };
}
