/**
 * The tab's side of the browser's one stream: what the tab's pages, toasts and hooks subscribe to,
 * told to the stream's owner as one list of topics, and the owner's messages handed to the
 * subscriptions whose topic they name.
 */
import type { StreamMessage } from "@common/page-stream.ts";
import { randomId } from "../random-id.ts";
import { connectOwner, type OwnerLink, type Receive } from "./owner-links.ts";
import { INITIAL_STATUS, type OwnerMessage, type StreamStatus, tabLock } from "./protocol.ts";

/** What a page shows about its live stream. */
export type StreamState = "connecting" | "live" | "reconnecting";

export type Subscriber = {
  message: (message: StreamMessage) => void;
  state: (state: StreamState) => void;
  /**
   * The topic went live: the stream carries its events from now on, not those before (it was just
   * subscribed to, or came back after a drop), so what the page shows should be read again once.
   */
  live: () => void;
};

type Subscription = { topic: string; subscriber: Subscriber; live: boolean };

export class StreamClient {
  private readonly tab = randomId();
  private readonly subscriptions = new Set<Subscription>();
  private readonly added = new Set<string>();
  private status: StreamStatus = INITIAL_STATUS;
  private syncing = false;
  private readonly link: OwnerLink;
  /** Held before the first word to the owner, so the owner can tell when this tab is gone. */
  private readonly alive: Promise<void>;

  constructor(connect: (tab: string, receive: Receive) => OwnerLink = connectOwner) {
    this.alive = holdLock(tabLock(this.tab));
    this.link = connect(this.tab, (message) => this.received(message));
    if (typeof window !== "undefined") {
      window.addEventListener("pagehide", () => this.link.post({ type: "leave", tab: this.tab }));
      // Back from the back-forward cache: the owner forgot this tab when it left.
      window.addEventListener("pageshow", (event) => {
        if (event.persisted) this.resync();
      });
    }
  }

  /** Follows `topic` until the returned function is called. */
  subscribe(topic: string, subscriber: Subscriber): () => void {
    // A topic live already carried every event since the subscriber's page read what it shows.
    const state = stateOf(this.status, topic);
    const subscription = { topic, subscriber, live: state === "live" };
    if (![...this.subscriptions].some((s) => s.topic === topic)) this.added.add(topic);
    this.subscriptions.add(subscription);
    subscriber.state(state);
    this.sync();
    return () => {
      this.subscriptions.delete(subscription);
      this.sync();
    };
  }

  /** Tells the owner every topic this tab follows, once for all the changes of one turn. */
  private sync(): void {
    if (this.syncing) return;
    this.syncing = true;
    void this.alive.then(() => {
      this.syncing = false;
      const topics = [...new Set([...this.subscriptions].map((s) => s.topic))];
      const added = [...this.added].filter((t) => topics.includes(t));
      this.added.clear();
      this.link.post({ type: "topics", tab: this.tab, topics, added });
    });
  }

  /** Tells an owner that does not know this tab every topic it follows, as new ones. */
  private resync(): void {
    for (const { topic } of this.subscriptions) this.added.add(topic);
    this.sync();
  }

  /**
   * Hands a subscription the topic's state. A topic that goes live was not carried before: events
   * between the page's read and this moment were never sent (a new topic starts from now, and a
   * stream back after a drop replays only what it still has), so the subscriber reads again.
   */
  private tell(subscription: Subscription): void {
    const state = stateOf(this.status, subscription.topic);
    const wasLive = subscription.live;
    subscription.live = state === "live";
    subscription.subscriber.state(state);
    if (subscription.live && !wasLive) subscription.subscriber.live();
  }

  private received(message: OwnerMessage): void {
    switch (message.type) {
      case "message":
        for (const { topic, subscriber } of this.subscriptions) {
          if (message.message.data.topics.includes(topic)) subscriber.message(message.message);
        }
        return;
      case "status":
        this.status = message.status;
        for (const subscription of this.subscriptions) this.tell(subscription);
        return;
      case "hello":
        this.resync();
        return;
      default: {
        const unknown: never = message;
        throw new Error(`unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }
}

function stateOf(status: StreamStatus, topic: string): StreamState {
  if (status.connection === "reconnecting") return "reconnecting";
  if (status.live.includes(topic)) return "live";
  // A refused topic will not be live unless it is subscribed to anew.
  return status.refused.includes(topic) ? "reconnecting" : "connecting";
}

/** Resolves once the lock is held; it is held until the tab goes. Without Web Locks, at once. */
function holdLock(name: string): Promise<void> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (!locks) return Promise.resolve();
  return new Promise((held) => {
    void locks.request(name, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
}

let client: StreamClient | undefined;

/** The tab's one stream client. */
export function streamClient(): StreamClient {
  client ??= new StreamClient();
  return client;
}

/** Forgets the tab's client: the component tests start each case as a new tab. */
export function forgetStreamClient(): void {
  client = undefined;
}
