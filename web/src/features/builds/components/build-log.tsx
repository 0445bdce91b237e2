import type { Job } from "@common/dto.ts";
import { Flex, Select, Switch, Typography } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useBuildLog } from "../hooks/use-build-log.ts";
import { localizeLogText } from "../utils/log-notes.ts";

const STREAM_COLOURS = { stdout: "#d9d9d9", stderr: "#ff7875", system: "#8c8c8c" } as const;

export function BuildLog({ buildId, jobs }: { buildId: number; jobs: readonly Job[] }) {
  const { t } = useI18n();
  const log = useBuildLog(buildId);
  const [jobId, setJobId] = useState<number | "all">("all");
  const [follow, setFollow] = useState(true);
  const ref = useRef<HTMLPreElement>(null);
  const chunks = useMemo(
    () => (jobId === "all" ? log.chunks : log.chunks.filter((chunk) => chunk.jobId === jobId)),
    [log.chunks, jobId],
  );

  useEffect(() => {
    const element = ref.current;
    if (follow && element && chunks.length > 0) element.scrollTop = element.scrollHeight;
  }, [chunks, follow]);

  return (
    <Flex vertical gap={8}>
      <Flex gap={16} align="center" wrap>
        <Typography.Title level={2} style={{ margin: 0, fontSize: 16 }}>
          {t.build.log}
        </Typography.Title>
        <Select<number | "all">
          aria-label={t.build.logJob}
          value={jobId}
          onChange={setJobId}
          style={{ minWidth: 200 }}
          options={[
            { value: "all", label: t.build.allJobs },
            ...jobs.map((job) => ({ value: job.id, label: `${job.stage} / ${job.name}` })),
          ]}
        />
        <Flex gap={8} align="center">
          <Switch checked={follow} onChange={setFollow} aria-label={t.build.follow} size="small" />
          <Typography.Text>{t.build.follow}</Typography.Text>
        </Flex>
        <Typography.Text type="secondary" role="status">
          {log.ended ? t.build.logEnded : t.build.logLive}
        </Typography.Text>
      </Flex>
      <pre
        ref={ref}
        role="log"
        aria-label={t.build.logRegion}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it (WCAG 2.1.1)
        tabIndex={0}
        style={{
          margin: 0,
          padding: 12,
          background: "#141414",
          color: STREAM_COLOURS.stdout,
          borderRadius: 8,
          maxHeight: 520,
          minHeight: 120,
          overflow: "auto",
          fontSize: 12,
          lineHeight: 1.6,
          whiteSpace: "pre-wrap",
          wordBreak: "break-all",
        }}
      >
        {chunks.length === 0
          ? t.build.logEmpty
          : chunks.map((chunk) => (
              <span
                key={chunk.id}
                style={chunk.stream === "stdout" ? undefined : { color: STREAM_COLOURS[chunk.stream] }}
              >
                {chunk.stream === "system" ? localizeLogText(chunk.text, t) : chunk.text}
              </span>
            ))}
      </pre>
    </Flex>
  );
}
