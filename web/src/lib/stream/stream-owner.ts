/**
 * The owner of the browser's one stream: it knows which topics each tab follows, keeps the
 * connection on all of them, and hands each message to the tabs that follow one of its topics.
 * It runs in the SharedWorker, or in the tab elected leader, or (when neither exists) in the tab.
 */
import type { OwnerMessage, StreamStatus, TabMessage } from "./protocol.ts";
import { StreamHub } from "./stream-hub.ts";

/** Sends a message to some tabs, or to all. */
export type Deliver = (message: OwnerMessage, tabs: readonly string[] | "all") => void;

export class StreamOwner {
  private readonly tabs = new Map<string, ReadonlySet<string>>();
  private status: StreamStatus | undefined;
  private readonly hub: StreamHub;

  constructor(private readonly deliver: Deliver) {
    this.hub = new StreamHub({
      message: (message) => {
        const following = [...this.tabs].filter(([, topics]) => message.data.topics.some((t) => topics.has(t)));
        if (following.length > 0)
          deliver(
            { type: "message", message },
            following.map(([tab]) => tab),
          );
      },
      status: (status) => {
        this.status = status;
        deliver({ type: "status", status }, "all");
      },
    });
  }

  /** What a tab said. */
  received(message: TabMessage): void {
    if (message.type === "leave" || message.topics.length === 0) {
      this.tabs.delete(message.tab);
      this.hub.follow(this.union());
      return;
    }
    this.tabs.set(message.tab, new Set(message.topics));
    this.hub.follow(this.union(), message.added);
    if (this.status) this.deliver({ type: "status", status: this.status }, [message.tab]);
  }

  leave(tab: string): void {
    this.received({ type: "leave", tab });
  }

  private union(): Set<string> {
    return new Set([...this.tabs.values()].flatMap((topics) => [...topics]));
  }
}
