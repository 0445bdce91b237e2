import type { Build } from "@common/dto.ts";
import { Typography } from "antd";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";
import { firstLine } from "../lib/trigger-text.ts";

/**
 * A repository build's commit: its message's first line, linked to the commit on the provider's
 * web pages when the repository has a web URL, and its author. Nothing for builds started by API.
 */
export function CommitSummary({ build }: { build: Pick<Build, "trigger"> }) {
  const { t } = useI18n();
  const trigger = build.trigger;
  if (!trigger || (trigger.commitMessage === null && trigger.commitAuthor === null)) return null;
  const line = trigger.commitMessage === null ? "" : firstLine(trigger.commitMessage);
  return (
    <Typography.Text ellipsis={{ tooltip: trigger.commitMessage ?? undefined }}>
      {line !== "" &&
        (trigger.commitUrl ? (
          <Typography.Link href={trigger.commitUrl} target="_blank" rel="noreferrer">
            {line}
          </Typography.Link>
        ) : (
          line
        ))}
      {trigger.commitAuthor !== null && (
        <Typography.Text type="secondary">
          {line !== "" ? " · " : ""}
          {t.trigger.byAuthor(trigger.commitAuthor)}
        </Typography.Text>
      )}
    </Typography.Text>
  );
}
