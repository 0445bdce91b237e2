import type { LogChunk } from "@common/bff-api.ts";
import { topicKey } from "@common/page-stream.ts";
import { useEffect, useRef, useState } from "react";
import { useStream } from "../../../lib/stream/use-stream.ts";

/** A busy step prints thousands of lines a second: chunks are gathered and shown at most this often. */
const FLUSH_MS = 100;

export type BuildLog = { chunks: readonly LogChunk[]; ended: boolean };

/**
 * The build's log from its start, live while it runs (its `log:{id}` topic of the page's stream).
 * The stream resumes after a drop; chunk ids also guard against showing one twice (a log is sent
 * again from its start when another tab opens it).
 */
/** Mount it keyed by build id: its state belongs to one build. */
export function useBuildLog(id: number): BuildLog {
  const [log, setLog] = useState<BuildLog>({ chunks: [], ended: false });
  const pending = useRef<LogChunk[]>([]);
  const lastId = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const flush = () => {
    timer.current = undefined;
    const batch = pending.current;
    pending.current = [];
    if (batch.length > 0) setLog((old) => ({ ...old, chunks: [...old.chunks, ...batch] }));
  };

  useStream(log.ended ? null : topicKey.log(id), {
    log: ({ chunks, ended }) => {
      for (const chunk of chunks) {
        if (chunk.id <= lastId.current) continue;
        lastId.current = chunk.id;
        pending.current.push(chunk);
      }
      if (ended) {
        clearTimeout(timer.current);
        flush();
        setLog((old) => ({ ...old, ended: true }));
        return;
      }
      if (pending.current.length > 0) timer.current ??= setTimeout(flush, FLUSH_MS);
    },
  });
  return log;
}
