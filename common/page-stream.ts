/**
 * The page's one event stream, `GET /api/stream?topics=…` (SSE): the topics a browser follows on
 * it, the messages it receives, and where a reconnect resumes. The BFF serves it; in the browser
 * one owner (a SharedWorker, or one tab elected among the others) reads it for every tab.
 */
import { z } from "zod";
import { BuildStatusSchema } from "./contract/builds.ts";
import { Operation } from "./contract/operations.ts";

/* Topics ---------------------------------------------------------------------------------- */

/**
 * What a page can follow. Written as text (`pipeline:acme/web`) in the stream's URL and in its
 * messages, so that both ends and the owner in between compare them as plain strings.
 */
export type StreamTopic =
  /** Build changes of one pipeline, and the operations on it (the history and build pages). */
  | { kind: "pipeline"; project: string; pipeline: string }
  /** Build changes of every pipeline of a project (the project page). */
  | { kind: "project"; project: string }
  /** Every operation of a project as it starts and progresses (the operations centre). */
  | { kind: "operations"; project: string }
  /** One operation until it completes (a toast, the operation's page). */
  | { kind: "operation"; id: string }
  /** A build's log from its start, live while the build runs (the build page). */
  | { kind: "log"; build: number };

export const topicKey = {
  pipeline: (project: string, pipeline: string) => `pipeline:${project}/${pipeline}`,
  project: (project: string) => `project:${project}`,
  operations: (project: string) => `operations:${project}`,
  operation: (id: string) => `operation:${id}`,
  log: (build: number) => `log:${build}`,
};

/**
 * Topics whose subscriber wants everything from the start, not from now: a tab that subscribes to
 * one the browser's stream already carries has it sent again from the start.
 */
export function replaysFromStart(key: string): boolean {
  return parseTopic(key)?.kind === "log";
}

/** At most this many topics on one stream: each adds to its URL and to every message id. */
export const MAX_STREAM_TOPICS = 50;

const NAME = "([a-z0-9][a-z0-9._-]{0,62})";
const TOPIC_FORMS: [RegExp, (m: RegExpExecArray) => StreamTopic][] = [
  [new RegExp(`^pipeline:${NAME}/${NAME}$`), (m) => ({ kind: "pipeline", project: m[1]!, pipeline: m[2]! })],
  [new RegExp(`^project:${NAME}$`), (m) => ({ kind: "project", project: m[1]! })],
  [new RegExp(`^operations:${NAME}$`), (m) => ({ kind: "operations", project: m[1]! })],
  [/^operation:([A-Za-z0-9-]{1,64})$/, (m) => ({ kind: "operation", id: m[1]! })],
  [/^log:([1-9]\d{0,15})$/, (m) => ({ kind: "log", build: Number(m[1]) })],
];

/** The topic a key names, or undefined when it names none. */
export function parseTopic(key: string): StreamTopic | undefined {
  for (const [pattern, read] of TOPIC_FORMS) {
    const match = pattern.exec(key);
    if (match) return read(match);
  }
  return undefined;
}

/** A topic key as a request names it, with what it names. */
const TopicKey = z.string().transform((key, ctx) => {
  const topic = parseTopic(key);
  if (!topic) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(key.slice(0, 80))} is not a topic` });
    return z.NEVER;
  }
  return { key, topic };
});

/** `GET /api/stream?topics=…&after=…`: distinct topic keys, comma-separated. */
export const StreamQuery = z.object({
  topics: z
    .string()
    .transform((text) => [...new Set(text.split(","))])
    .pipe(z.array(TopicKey).min(1).max(MAX_STREAM_TOPICS)),
  /** Where to resume when the request carries no `Last-Event-ID` (the last id of the connection it replaces). */
  after: z.string().optional(),
});

/* Where a stream resumes ------------------------------------------------------------------- */

/**
 * A message's id (`Last-Event-ID` on a reconnect) says, per topic, up to which engine event (for a
 * log, which chunk) the topic has been delivered: `operation:9f…=1204,pipeline:acme/web=1187,log:7=88`. Per topic rather than one
 * number, so that a reconnect with a topic added picks the others up exactly where they were and
 * starts the new one from now, not from a past it never asked for.
 */
export type StreamPositions = ReadonlyMap<string, number>;

export function formatPositions(positions: StreamPositions): string {
  return [...positions]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([topic, seq]) => `${topic}=${seq}`)
    .join(",");
}

/** The positions an id carries; undefined when it is not one this stream wrote. */
export function parsePositions(id: string): Map<string, number> | undefined {
  const positions = new Map<string, number>();
  if (id === "") return positions;
  for (const entry of id.split(",")) {
    const at = entry.lastIndexOf("=");
    const topic = entry.slice(0, at);
    const seq = Number(entry.slice(at + 1));
    if (at < 0 || !parseTopic(topic) || !/^\d+$/.test(entry.slice(at + 1)) || !Number.isSafeInteger(seq)) {
      return undefined;
    }
    positions.set(topic, seq);
  }
  return positions;
}

/* Messages ----------------------------------------------------------------------------------- */

/** Every message names the topics it is for: the owner and the tabs route by them alone. */
const ForTopics = { topics: z.array(z.string()).min(1) };

/** One build's change, as the history page applies it to its rows. */
export const BuildChange = z.object({
  id: z.number().int(),
  number: z.number().int(),
  branch: z.string(),
  status: BuildStatusSchema,
  from: BuildStatusSchema.nullable(),
  reason: z.string().nullable(),
  operationId: z.string().nullable(),
  by: z.string().nullable(),
  at: z.string(),
  /** True for a build that did not exist before (`build.created`). */
  created: z.boolean(),
});
export type BuildChange = z.infer<typeof BuildChange>;

/** A piece of a build's log as its job wrote it. */
export const LogChunk = z.object({
  id: z.number().int(),
  jobId: z.number().int(),
  stream: z.enum(["stdout", "stderr", "system"]),
  text: z.string(),
});
export type LogChunk = z.infer<typeof LogChunk>;

/**
 * What the stream says: `event:` names the message, `data:` carries it (one line of JSON).
 * - `builds`: a pipeline's build changes, coalesced: bursts become one message per pipeline at most
 *   a few times a second, the last change per build wins (10,000 status changes are a handful).
 * - `operation`: an operation as it starts and progresses, coalesced; `status: "completed"` is its last.
 * - `log`: a build's log chunks, in order; `ended` once the build has finished and said everything.
 * - `refused`: a topic this stream does not carry (the user may not read it, or it does not exist);
 *   it has no id. A stream whose every topic is refused ends after saying so.
 */
export const StreamMessage = z.discriminatedUnion("event", [
  z.object({
    event: z.literal("builds"),
    data: z.object({ ...ForTopics, project: z.string(), pipeline: z.string(), changes: z.array(BuildChange) }),
  }),
  z.object({ event: z.literal("operation"), data: z.object({ ...ForTopics, operation: Operation }) }),
  z.object({
    event: z.literal("log"),
    data: z.object({ ...ForTopics, build: z.number().int(), chunks: z.array(LogChunk), ended: z.boolean() }),
  }),
  z.object({
    event: z.literal("refused"),
    data: z.object({ ...ForTopics, error: z.object({ code: z.string(), message: z.string() }) }),
  }),
]);
export type StreamMessage = z.infer<typeof StreamMessage>;
export type StreamEventName = StreamMessage["event"];
export type StreamData = { [M in StreamMessage as M["event"]]: M["data"] };
export const STREAM_EVENT_NAMES: StreamEventName[] = StreamMessage.options.map((o) => o.shape.event.value);
