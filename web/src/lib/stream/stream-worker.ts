/**
 * The SharedWorker that holds the browser's one stream for every tab of the page: each tab is a
 * port. A tab that closes says so (`leave`); one that crashes is noticed when the owner gets the
 * lock the tab held while it lived.
 */
import { TabMessage, tabLock } from "./protocol.ts";
import { StreamOwner } from "./stream-owner.ts";

const ports = new Map<string, MessagePort>();

const owner = new StreamOwner((message, tabs) => {
  for (const [tab, port] of ports) if (tabs === "all" || tabs.includes(tab)) port.postMessage(message);
});

function gone(tab: string): void {
  ports.delete(tab);
  owner.leave(tab);
}

// The page's TypeScript knows the window's global scope, not a SharedWorker's.
const scope = globalThis as unknown as { onconnect: ((event: MessageEvent) => void) | null };

scope.onconnect = (event) => {
  const port = event.ports[0];
  if (!port) return;
  port.onmessage = ({ data }: MessageEvent) => {
    const parsed = TabMessage.safeParse(data);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === "leave") {
      gone(message.tab);
      return;
    }
    if (!ports.has(message.tab)) void navigator.locks?.request(tabLock(message.tab), () => gone(message.tab));
    ports.set(message.tab, port);
    owner.received(message);
  };
};
