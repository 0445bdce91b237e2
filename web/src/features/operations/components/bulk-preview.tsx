import type { BatchPreview, Build, BulkImpact } from "@common/dto.ts";
import { Alert, Checkbox, Collapse, Flex, Typography } from "antd";
import dayjs from "dayjs";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import { formatDuration } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { kindView, unknownKind } from "../../../lib/operation-kinds.ts";

type Props = {
  action: BulkAction;
  preview: BatchPreview;
  /** Null: project-wide, so builds are named with their pipeline. */
  pipeline: string | null;
  /** When the preview was taken (this browser's clock). */
  at: number;
  force: boolean;
  onForceChange: (force: boolean) => void;
  /** Whether the filter reaches protected branches too; undefined while it cannot be changed. */
  includeProtected: boolean;
  onIncludeProtectedChange: ((include: boolean) => void) | undefined;
};

const SHOWN = 5;

/**
 * What a bulk action would reach, as the server previewed it: how many builds and of which
 * statuses, per pipeline, the newest ones, the protected ones, and the moment it is bound to.
 */
export function BulkPreview({
  action,
  preview,
  pipeline,
  at,
  force,
  onForceChange,
  includeProtected,
  onIncludeProtectedChange,
}: Props) {
  const { t } = useI18n();
  const filter = "filter" in action.request ? action.request.filter : undefined;
  const view = kindView(action.kind);
  const words = view.texts(t);
  const keepNewest = keepNewestOf(action);
  const shown = preview.first.slice(0, SHOWN);
  const rest = preview.total - shown.length;
  const pipelines = Object.keys(preview.byPipeline).sort();

  const headline = words.headline(preview, {
    branch: filter?.branch ?? null,
    upTo: pipeline !== null ? (preview.upTo[pipeline] ?? null) : null,
    acting: view.stops && !force ? preview.total - preview.protected : preview.total,
  });

  return (
    <Flex vertical gap={12}>
      <Typography.Paragraph strong style={{ margin: 0 }}>
        {headline}
      </Typography.Paragraph>
      <Typography.Paragraph style={{ margin: 0 }}>{words.dialog.intro}</Typography.Paragraph>
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
      {keepNewest && preview.kept > 0 && (
        <BuildList
          label={t.dialog.keptList}
          title={t.dialog.kept({ kept: preview.kept, keys: preview.keptKeys, per: keepNewest.per })}
          builds={preview.keptBuilds}
          total={preview.kept}
          pipeline={pipeline}
        />
      )}
      {view.stops && (preview.leftOut.protectedBranches > 0 || includeProtected) && (
        <Alert
          type="info"
          showIcon
          title={
            <Flex vertical gap={4}>
              {preview.leftOut.included
                ? t.dialog.protectedIncluded(preview.leftOut.patterns.join(", "))
                : t.dialog.leftOutProtected(preview.leftOut.protectedBranches, preview.leftOut.patterns.join(", "))}
              <Checkbox
                checked={includeProtected}
                disabled={onIncludeProtectedChange === undefined}
                onChange={(event) => onIncludeProtectedChange?.(event.target.checked)}
              >
                {t.dialog.includeProtected}
              </Checkbox>
            </Flex>
          }
        />
      )}
      {view.stops && preview.impact && preview.total > 0 && (
        <ImpactSummary impact={preview.impact} running={preview.byStatus.RUNNING} queued={preview.byStatus.QUEUED} />
      )}
      {preview.total === 0 && <Alert type="info" showIcon title={words.dialog.nothingMatches} />}
      {view.stops && preview.protected > 0 && (
        <Alert
          type="warning"
          showIcon
          title={
            <Flex vertical gap={4}>
              {force ? t.dialog.protectedStopped(preview.protected) : t.dialog.protectedCount(preview.protected)}
              {!force && preview.protected >= preview.total && <span>{t.dialog.allProtected}</span>}
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
      {view.stops && (
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t.dialog.finishedLeftAlone}
        </Typography.Paragraph>
      )}
    </Flex>
  );
}

/** What a filter keeps (the N newest per branch, pipeline or group): only cancels keep any. */
function keepNewestOf(action: BulkAction) {
  switch (action.kind) {
    case "cancel":
      return "filter" in action.request ? action.request.filter.keepNewest : undefined;
    case "rerun":
      return undefined;
    default:
      return unknownKind(action);
  }
}

/** A titled list of builds, the first few named ("Kept: the newest build of each of 7 branches"). */
function BuildList(props: { label: string; title: string; builds: Build[]; total: number; pipeline: string | null }) {
  const { t } = useI18n();
  const shown = props.builds.slice(0, SHOWN);
  const rest = props.total - shown.length;
  return (
    <Flex vertical gap={4}>
      <Typography.Text strong>{props.title}</Typography.Text>
      <ul aria-label={props.label} style={{ margin: 0, paddingInlineStart: 20 }}>
        {shown.map((build) => (
          <li key={build.id}>
            {props.pipeline === null && <Typography.Text>{build.pipeline} </Typography.Text>}
            <Typography.Text strong>#{build.number}</Typography.Text>{" "}
            <Typography.Text type="secondary">{build.branch}</Typography.Text>
          </li>
        ))}
        {rest > 0 && <li>{t.dialog.andMore(rest)}</li>}
      </ul>
    </Flex>
  );
}

/** What the cancel costs in one or two plain lines, and in full behind "Details". */
function ImpactSummary({ impact, running, queued }: { impact: BulkImpact; running: number; queued: number }) {
  const { t } = useI18n();
  const seconds = (n: number) => formatDuration(n * 1000, t);
  const inFlight = impact.inFlight.map((f) => t.dialog.inFlightItem(f.builds, f.stage, f.step));
  return (
    <Flex vertical gap={4} role="group" aria-label={t.dialog.impact}>
      <Typography.Text>
        {t.dialog.impactLine({
          running,
          agents: impact.runningByAgent.length,
          done: seconds(impact.workDoneSeconds),
          queued,
          avoided: impact.workAvoidedSeconds > 0 ? seconds(impact.workAvoidedSeconds) : null,
        })}
      </Typography.Text>
      {inFlight.length > 0 && <Typography.Text>{t.dialog.inFlight(inFlight.slice(0, 3).join(" · "))}</Typography.Text>}
      <Collapse
        size="small"
        ghost
        items={[
          {
            key: "details",
            label: t.dialog.details,
            children: (
              <dl style={{ margin: 0 }}>
                <dt>{t.dialog.perAgent}</dt>
                <dd>{impact.runningByAgent.map((a) => t.dialog.agentLine(a.agent, a.builds)).join(" · ") || "—"}</dd>
                <dt>{t.dialog.inFlightTitle}</dt>
                <dd>{inFlight.join(" · ") || "—"}</dd>
                <dt>{t.dialog.workDone}</dt>
                <dd>{seconds(impact.workDoneSeconds)}</dd>
                <dt>{t.dialog.workAvoided}</dt>
                <dd>
                  {seconds(impact.workAvoidedSeconds)}
                  {impact.unestimated > 0 ? ` ${t.dialog.unestimated(impact.unestimated)}` : ""}
                </dd>
                <dt>{t.dialog.protectedTitle}</dt>
                <dd>{impact.protectedBuilds}</dd>
                <dt>{t.dialog.pullRequests}</dt>
                <dd>{impact.pullRequests.map((pr) => `${pr.repository}#${pr.number}`).join(", ") || "—"}</dd>
              </dl>
            ),
          },
        ]}
      />
    </Flex>
  );
}
