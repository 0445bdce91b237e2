import type { BuildDetail } from "@common/dto.ts";
import { Descriptions, Flex, Space, Typography } from "antd";
import { Link } from "react-router";
import { CommitSummary } from "../../../components/commit-summary.tsx";
import { Duration } from "../../../components/duration.tsx";
import { LiveBadge } from "../../../components/live-badge.tsx";
import { ErrorState, LoadingState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { cancelNote } from "../../../lib/cancel-note.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { triggerText } from "../../../lib/trigger-text.ts";
import { useBuild } from "../api/get-build.ts";
import { useBuildEvents } from "../hooks/use-build-events.ts";
import { BuildLog } from "./build-log.tsx";
import { CancelBuildButton } from "./cancel-build-button.tsx";
import { JobList } from "./job-list.tsx";

type Props = {
  id: number;
  /** Sends the cancel (forced: finalize a build stuck in CANCELING); resolves once accepted. */
  onCancel: (build: BuildDetail, force: boolean, idempotencyKey: string, reason?: string) => Promise<unknown>;
};

export function BuildView({ id, onCancel }: Props) {
  const { t } = useI18n();
  const query = useBuild(id);
  const loaded = query.data?.build;
  const stream = useBuildEvents(id, loaded?.project, loaded?.pipeline);

  if (query.isPending) return <LoadingState />;
  // A failed refresh keeps showing what we have; only a failed first load is an error page.
  if (!query.data) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const { build, permissions } = query.data;
  const note = cancelNote(build, t);

  return (
    <Flex vertical gap={24}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space size="middle" wrap>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
            {t.build.title(build.pipeline, build.number)}
          </Typography.Title>
          <StatusTag status={build.status} />
          <LiveBadge state={stream} />
        </Space>
        <Flex gap={8} align="center" wrap>
          <CancelBuildButton
            build={build}
            canCancel={permissions.canCancel}
            onCancel={(force, key, reason) => onCancel(build, force, key, reason)}
          />
        </Flex>
      </Flex>
      <Descriptions
        role="group"
        aria-label={t.build.summary}
        size="small"
        column={{ xs: 1, sm: 2, lg: 3 }}
        items={[
          {
            key: "pipeline",
            label: t.operations.pipeline,
            children: (
              <Link
                to={`/projects/${encodeURIComponent(build.project)}/pipelines/${encodeURIComponent(build.pipeline)}`}
              >
                {build.project} / {build.pipeline}
              </Link>
            ),
          },
          { key: "branch", label: t.build.branch, children: build.branch || t.common.none },
          {
            key: "commit",
            label: t.build.commit,
            children: build.commit ? (
              <Typography.Text code copyable={{ text: build.commit }}>
                {build.commit.slice(0, 12)}
              </Typography.Text>
            ) : (
              t.common.none
            ),
          },
          ...(build.trigger
            ? [{ key: "message", label: t.build.message, children: <CommitSummary build={build} /> }]
            : []),
          { key: "by", label: t.build.triggeredBy, children: triggerText(build, t) },
          { key: "created", label: t.build.created, children: <RelativeTime value={build.createdAt} /> },
          { key: "started", label: t.build.started, children: <RelativeTime value={build.startedAt} /> },
          {
            key: "duration",
            label: t.build.duration,
            children: <Duration from={build.startedAt} to={build.finishedAt} />,
          },
          ...(note
            ? [
                {
                  key: "note",
                  label: build.cancel ? t.build.canceledBy : t.build.statusReason,
                  children: build.cancel ? (
                    <Link to={`/operations/${encodeURIComponent(build.cancel.operationId)}`}>{note}</Link>
                  ) : (
                    note
                  ),
                },
              ]
            : []),
        ]}
      />
      <section aria-label={t.build.jobs}>
        <JobList jobs={build.jobs} />
      </section>
      <BuildLog buildId={build.id} jobs={build.jobs} />
    </Flex>
  );
}
