/**
 * What a tab and the stream's owner (the SharedWorker, or the tab elected leader) say to each
 * other, through a MessagePort or a BroadcastChannel. Each side parses what it receives.
 */
import { StreamMessage } from "@common/page-stream.ts";
import { z } from "zod";

/** How the owner's connection is doing, and which topics it carries now. */
export const StreamStatus = z.object({
  connection: z.enum(["connecting", "open", "reconnecting"]),
  /** Topics the open connection carries. */
  live: z.array(z.string()),
  /** Topics the server refused; tried again when a tab subscribes to one anew. */
  refused: z.array(z.string()),
});
export type StreamStatus = z.infer<typeof StreamStatus>;

export const INITIAL_STATUS: StreamStatus = { connection: "connecting", live: [], refused: [] };

/** From a tab: every topic it follows now (`added`: those it just began to follow), or that it is gone. */
export const TabMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("topics"), tab: z.string(), topics: z.array(z.string()), added: z.array(z.string()) }),
  z.object({ type: z.literal("leave"), tab: z.string() }),
]);
export type TabMessage = z.infer<typeof TabMessage>;

/**
 * From the owner: a message of the stream, its status (a topic going live there tells the tab's
 * subscribers to read again what they show), or that it is new.
 */
export const OwnerMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message"), message: StreamMessage }),
  z.object({ type: z.literal("status"), status: StreamStatus }),
  /** A new owner knows no tab yet: every tab says its topics again. */
  z.object({ type: z.literal("hello") }),
]);
export type OwnerMessage = z.infer<typeof OwnerMessage>;

/** A tab holds this lock while it lives: the owner learns that a tab is gone when it gets it. */
export const tabLock = (tab: string) => `sluice-stream-tab:${tab}`;
