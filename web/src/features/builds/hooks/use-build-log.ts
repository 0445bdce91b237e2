import type { LogChunkData } from "@common/bff-api.ts";
import { useEffect, useRef, useState } from "react";
import { useEventStream } from "../../../lib/use-event-stream.ts";

/** A busy step prints thousands of lines a second: chunks are gathered and shown at most this often. */
const FLUSH_MS = 100;

export type BuildLog = { chunks: readonly LogChunkData[]; ended: boolean };

/**
 * The build's log from its start, live while it runs (`GET /api/builds/{id}/log`, SSE). The stream
 * resumes after a drop with `Last-Event-ID`; chunk ids also guard against showing one twice.
 */
/** Mount it keyed by build id: its state belongs to one build. */
export function useBuildLog(id: number): BuildLog {
  const [log, setLog] = useState<BuildLog>({ chunks: [], ended: false });
  const pending = useRef<LogChunkData[]>([]);
  const lastId = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const flush = () => {
    timer.current = undefined;
    const batch = pending.current;
    pending.current = [];
    if (batch.length > 0) setLog((old) => ({ ...old, chunks: [...old.chunks, ...batch] }));
  };

  useEventStream<{ chunk: LogChunkData; end: unknown }>(log.ended ? null : `/api/builds/${id}/log`, {
    chunk: (chunk) => {
      if (chunk.id <= lastId.current) return;
      lastId.current = chunk.id;
      pending.current.push(chunk);
      timer.current ??= setTimeout(flush, FLUSH_MS);
    },
    end: () => {
      clearTimeout(timer.current);
      flush();
      setLog((old) => ({ ...old, ended: true }));
    },
  });
  return log;
}
