import type { PipelineSummary } from "@common/dto.ts";
import { Badge, Space, Table, type TableColumnsType, Typography } from "antd";
import { useMemo } from "react";
import { Link } from "react-router";
import { EmptyState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { buildPath } from "../../../lib/build-path.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";

type Props = { project: string; pipelines: readonly PipelineSummary[] | undefined; loading: boolean };

export function PipelineTable({ project, pipelines, loading }: Props) {
  const { t } = useI18n();
  const columns = useMemo(() => buildColumns(project, t), [project, t]);
  return (
    <Table<PipelineSummary>
      aria-label={t.projects.pipelinesOf(project)}
      rowKey="name"
      size="middle"
      pagination={false}
      loading={loading}
      columns={columns}
      dataSource={pipelines as PipelineSummary[] | undefined}
      locale={{ emptyText: <EmptyState>{t.projects.noPipelines}</EmptyState> }}
      scroll={{ x: 720 }}
    />
  );
}

function buildColumns(project: string, t: Messages): TableColumnsType<PipelineSummary> {
  const count = (n: number, status: "processing" | "default" | "warning") => (
    <Space size={6}>
      <Badge status={n > 0 ? status : "default"} />
      {n}
    </Space>
  );
  return [
    {
      key: "name",
      title: t.projects.pipeline,
      render: (_, p) => (
        <Link to={`/projects/${encodeURIComponent(project)}/pipelines/${encodeURIComponent(p.name)}`}>{p.name}</Link>
      ),
    },
    { key: "running", title: t.projects.running, width: 110, render: (_, p) => count(p.active.running, "processing") },
    { key: "queued", title: t.projects.queued, width: 110, render: (_, p) => count(p.active.queued, "default") },
    {
      key: "canceling",
      title: t.projects.canceling,
      width: 110,
      render: (_, p) => count(p.active.canceling, "warning"),
    },
    {
      key: "last",
      title: t.projects.lastBuild,
      render: (_, p) =>
        p.lastBuild ? (
          <Space size={8} wrap>
            <StatusTag status={p.lastBuild.status} />
            <Link to={buildPath(p.lastBuild)}>#{p.lastBuild.number}</Link>
            <Typography.Text type="secondary">{p.lastBuild.branch}</Typography.Text>
            <RelativeTime value={p.lastBuild.finishedAt ?? p.lastBuild.startedAt ?? p.lastBuild.createdAt} />
          </Space>
        ) : (
          <Typography.Text type="secondary">{t.projects.noBuilds}</Typography.Text>
        ),
    },
  ];
}
