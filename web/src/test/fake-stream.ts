/** The page's one stream (`/api/stream`) as a test drives it, through `FakeEventSource`. */
import type { StreamData, StreamEventName } from "@common/page-stream.ts";
import { vi } from "vitest";
import { FakeEventSource } from "./fake-event-source.ts";

/** The topics of an open stream connection. */
function topicsOf(source: FakeEventSource): string[] {
  const url = new URL(source.url, "http://localhost");
  return url.pathname === "/api/stream" ? (url.searchParams.get("topics") ?? "").split(",") : [];
}

/** Every topic the open stream connections carry. */
export function followedTopics(): string[] {
  return FakeEventSource.instances.filter((s) => s.readyState !== FakeEventSource.CLOSED).flatMap(topicsOf);
}

export class FakeStream {
  constructor(
    readonly source: FakeEventSource,
    private readonly topic: string,
  ) {}

  get url(): string {
    return this.source.url;
  }

  connect(): void {
    this.source.connect();
  }

  /** A message for the topic this stream was opened for (unless `data` names others). */
  emit<K extends StreamEventName>(
    event: K,
    data: Omit<StreamData[K], "topics"> & { topics?: string[] },
    id = "",
  ): void {
    this.source.emit(event, { topics: [this.topic], ...data }, id);
  }

  fail(options?: { closed?: boolean }): void {
    this.source.fail(options);
  }
}

/** Waits for the stream connection that carries `topic` (the stream's owner opens it a turn later). */
export async function openStream(topic: string): Promise<FakeStream> {
  const source = await vi.waitFor(() => {
    const open = [...FakeEventSource.instances]
      .reverse()
      .find((s) => s.readyState !== FakeEventSource.CLOSED && topicsOf(s).includes(topic));
    if (!open) throw new Error(`no open stream carries ${topic}; open: ${followedTopics().join(", ") || "none"}`);
    return open;
  });
  return new FakeStream(source, topic);
}
