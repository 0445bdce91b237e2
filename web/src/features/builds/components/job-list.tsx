import type { Job } from "@common/dto.ts";
import { Card, Flex, List, Space, Typography } from "antd";
import { Duration } from "../../../components/duration.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";

/** Stages in order, their jobs side by side, each job's steps in order with status and duration. */
export function JobList({ jobs }: { jobs: readonly Job[] }) {
  const { t } = useI18n();
  const stages = [...new Set(jobs.map((job) => job.stageIndex))].sort((a, b) => a - b);
  return (
    <Flex vertical gap={16}>
      {stages.map((stageIndex) => {
        const stageJobs = jobs.filter((job) => job.stageIndex === stageIndex);
        const name = stageJobs[0]?.stage ?? String(stageIndex);
        return (
          <section key={stageIndex} aria-label={t.build.stage(name)}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>
              {t.build.stage(name)}
            </Typography.Title>
            <Flex gap={16} wrap>
              {stageJobs.map((job) => (
                <JobCard key={job.id} job={job} />
              ))}
            </Flex>
          </section>
        );
      })}
    </Flex>
  );
}

/**
 * A job the engine has told to stop still runs until its agent confirms: it shows Canceling, and
 * so does its running step, rather than a Running that is no longer true.
 */
export function shownJobStatus(job: Pick<Job, "status" | "stopRequestedAt">): Job["status"] | "CANCELING" {
  return job.status === "RUNNING" && job.stopRequestedAt !== null ? "CANCELING" : job.status;
}

function JobCard({ job }: { job: Job }) {
  const { t } = useI18n();
  const stopping = shownJobStatus(job) === "CANCELING";
  return (
    <Card
      size="small"
      style={{ minWidth: 320, flex: "1 1 320px" }}
      title={
        <Space>
          <StatusTag status={shownJobStatus(job)} />
          <span>{job.name}</span>
        </Space>
      }
      extra={
        <Space size={8}>
          {job.agentId && <Typography.Text type="secondary">{t.build.agent(job.agentId)}</Typography.Text>}
          <Duration from={job.startedAt} to={job.finishedAt} />
        </Space>
      }
    >
      <List
        size="small"
        dataSource={job.steps}
        rowKey="index"
        renderItem={(step) => (
          <List.Item
            extra={
              <Space size={8}>
                {step.exitCode !== null && (
                  <Typography.Text type="secondary">{t.build.exitCode(step.exitCode)}</Typography.Text>
                )}
                <Duration from={step.startedAt} to={step.finishedAt} />
              </Space>
            }
          >
            <Space>
              <StatusTag status={stopping && step.status === "RUNNING" ? "CANCELING" : step.status} />
              <Typography.Text title={step.run}>{step.name}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
