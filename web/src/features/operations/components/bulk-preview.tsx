import type { BatchPreview } from "@common/dto.ts";
import { BUILD_STATUSES } from "@common/statuses.ts";
import { Alert, Checkbox, Flex, Typography } from "antd";
import dayjs from "dayjs";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";

type Props = {
  action: BulkAction;
  preview: BatchPreview;
  /** Null: project-wide, so builds are named with their pipeline. */
  pipeline: string | null;
  /** When the preview was taken (this browser's clock). */
  at: number;
  force: boolean;
  onForceChange: (force: boolean) => void;
};

const SHOWN = 5;

/**
 * What a bulk action would reach, as the server previewed it: how many builds and of which
 * statuses, per pipeline, the newest ones, the protected ones, and the moment it is bound to.
 */
export function BulkPreview({ action, preview, pipeline, at, force, onForceChange }: Props) {
  const { t } = useI18n();
  const filter = "filter" in action.request ? action.request.filter : undefined;
  const shown = preview.first.slice(0, SHOWN);
  const rest = preview.total - shown.length;
  const pipelines = Object.keys(preview.byPipeline).sort();

  const headline =
    action.kind === "cancel"
      ? t.dialog.headline({
          n: preview.total,
          branch: filter?.branch ?? null,
          running: preview.byStatus.RUNNING,
          queued: preview.byStatus.QUEUED,
          upTo: pipeline !== null ? (preview.upTo[pipeline] ?? null) : null,
        })
      : t.rerunDialog.headline(
          preview.total,
          BUILD_STATUSES.filter((s) => preview.byStatus[s] > 0)
            .map((s) => t.rerunDialog.statusCount(preview.byStatus[s], t.status[s]))
            .join(", "),
        );

  return (
    <Flex vertical gap={12}>
      <Typography.Paragraph strong style={{ margin: 0 }}>
        {headline}
      </Typography.Paragraph>
      <Typography.Paragraph style={{ margin: 0 }}>
        {action.kind === "cancel" ? t.dialog.intro : t.rerunDialog.intro}
      </Typography.Paragraph>
      {pipeline === null && pipelines.length > 0 && (
        <ul aria-label={t.dialog.byPipeline} style={{ margin: 0, paddingInlineStart: 20 }}>
          {pipelines.map((name) => (
            <li key={name}>{t.dialog.pipelineLine(name, preview.byPipeline[name] ?? 0, preview.upTo[name] ?? 0)}</li>
          ))}
        </ul>
      )}
      {shown.length > 0 && (
        <ul aria-label={t.dialog.preview} style={{ margin: 0, paddingInlineStart: 20 }}>
          {shown.map((build) => (
            <li key={build.id}>
              {pipeline === null && <Typography.Text>{build.pipeline} </Typography.Text>}
              <Typography.Text strong>#{build.number}</Typography.Text>{" "}
              <Typography.Text type="secondary">{build.branch}</Typography.Text>
            </li>
          ))}
          {rest > 0 && <li>{t.dialog.andMore(rest)}</li>}
        </ul>
      )}
      {preview.total === 0 && (
        <Alert
          type="info"
          showIcon
          title={action.kind === "cancel" ? t.dialog.nothingMatches : t.rerunDialog.nothingMatches}
        />
      )}
      {action.kind === "cancel" && preview.protected > 0 && (
        <Alert
          type="warning"
          showIcon
          title={
            <Flex vertical gap={4}>
              {t.dialog.protectedCount(preview.protected)}
              <Checkbox checked={force} onChange={(event) => onForceChange(event.target.checked)}>
                {t.dialog.alsoStopProtected}
              </Checkbox>
            </Flex>
          }
        />
      )}
      {filter && (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t.dialog.previewMoment(dayjs(at).format("HH:mm:ss"))}
        </Typography.Paragraph>
      )}
      {action.kind === "cancel" && (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t.dialog.finishedLeftAlone}
        </Typography.Paragraph>
      )}
    </Flex>
  );
}
