/**
 * Wake-ups (a port): use-cases say that something changed, waiters look again. Carries no data;
 * readers go back to the database. The adapter is `events/bus.ts` (in process, and across
 * replicas over PostgreSQL's LISTEN/NOTIFY).
 */
export type Wakeups = {
  /** Wakes the subscribers of `topic` soon (a burst of publishes wakes each once). */
  publish(topic: string): void;
  subscribe(topic: string, listener: () => void): () => void;
  /** Resolves when one of `topics` is published, after `ms`, or when `signal` aborts. */
  wait(topics: string | string[], ms: number, signal?: AbortSignal): Promise<void>;
};

export const TOPICS = {
  events: "events",
  work: "work",
  /** New webhook deliveries (or a redelivery) are waiting. */
  webhooks: "webhooks",
  /** Commit statuses are owed to a provider. */
  commitStatuses: "commit-statuses",
  anyAgent: "agents",
  agent: (id: string) => `agent:${id}`,
  /** A user's right to read changed (sign-out, token revoked, membership changed): streams re-check. */
  identity: (userId: number) => `identity:${userId}`,
} as const;
