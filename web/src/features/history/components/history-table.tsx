import { Checkbox, Table, type TableColumnsType, Tooltip, Typography } from "antd";
import { memo, type ReactNode, useMemo } from "react";
import { Link } from "react-router";
import type { Build } from "../../../../../common/dto.ts";
import { Duration } from "../../../components/duration.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { cancelNote } from "../../../lib/cancel-note.ts";
import { shortCommit } from "../../../lib/format.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { isCancelable } from "../hooks/use-build-selection.ts";
import type { SelectionView } from "../utils/selection.ts";

type Props = {
  builds: readonly Build[];
  selection: SelectionView;
  onToggle: (id: number, checked: boolean, shift: boolean) => void;
  onTogglePage: () => void;
  loading: boolean;
  emptyText: ReactNode;
};

/** Cells re-render only when their row changed (rows keep their identity across live updates). */
const sameRow = (row: Build, prev: Build) => row !== prev;

export function HistoryTable({ builds, selection, onToggle, onTogglePage, loading, emptyText }: Props) {
  const { t, language } = useI18n();
  const columns = useMemo(() => buildColumns(t), [t]);
  const selectedKeys = useMemo(
    () => builds.filter((b) => selection.isSelected(b.id)).map((b) => b.id),
    [builds, selection],
  );
  const noneSelectable = !builds.some(isCancelable);

  return (
    <Table<Build>
      // shouldCellUpdate keeps cells from re-rendering on a new language; remount instead.
      key={language}
      aria-label={t.history.table}
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={builds as Build[]}
      loading={loading}
      pagination={false}
      locale={{ emptyText }}
      scroll={{ x: 960 }}
      rowSelection={{
        selectedRowKeys: selectedKeys,
        columnWidth: 48,
        columnTitle: (
          <Checkbox
            aria-label={t.history.selectPage}
            checked={selection.page === "all"}
            indeterminate={selection.page === "some"}
            disabled={noneSelectable}
            onChange={onTogglePage}
          />
        ),
        renderCell: (_checked, build) => (
          <RowCheckbox build={build} checked={selection.isSelected(build.id)} onToggle={onToggle} t={t} />
        ),
      }}
    />
  );
}

const RowCheckbox = memo(function RowCheckbox({
  build,
  checked,
  onToggle,
  t,
}: {
  build: Build;
  checked: boolean;
  onToggle: Props["onToggle"];
  t: Messages;
}) {
  const selectable = isCancelable(build);
  const box = (
    <Checkbox
      aria-label={t.history.selectBuild(build.number)}
      checked={checked}
      disabled={!selectable}
      onChange={(event) => {
        const shift = (event.nativeEvent as MouseEvent).shiftKey;
        // Shift-click also selects the page text between the two rows; that is not what the user meant.
        if (shift) document.getSelection()?.removeAllRanges();
        onToggle(build.id, event.target.checked, shift);
      }}
    />
  );
  if (selectable) return box;
  const why =
    build.status === "CANCELING"
      ? t.history.cannotSelectCanceling
      : t.history.cannotSelectFinished(t.status[build.status]);
  return (
    <Tooltip title={why}>
      <span>{box}</span>
    </Tooltip>
  );
});

function buildColumns(t: Messages): TableColumnsType<Build> {
  return [
    {
      key: "number",
      title: t.history.number,
      width: 90,
      shouldCellUpdate: sameRow,
      render: (_, build) => <Link to={`/builds/${build.id}`}>#{build.number}</Link>,
    },
    {
      key: "status",
      title: t.history.status,
      width: 140,
      shouldCellUpdate: sameRow,
      render: (_, build) => <StatusTag status={build.status} />,
    },
    {
      key: "branch",
      title: t.history.branch,
      ellipsis: true,
      shouldCellUpdate: sameRow,
      render: (_, build) => build.branch,
    },
    {
      key: "commit",
      title: t.history.commit,
      width: 100,
      shouldCellUpdate: sameRow,
      render: (_, build) =>
        build.commit ? (
          <Typography.Text code title={build.commit}>
            {shortCommit(build.commit)}
          </Typography.Text>
        ) : (
          t.common.none
        ),
    },
    {
      key: "triggeredBy",
      title: t.history.triggeredBy,
      width: 130,
      ellipsis: true,
      shouldCellUpdate: sameRow,
      render: (_, build) => build.triggeredBy || t.common.none,
    },
    {
      key: "started",
      title: t.history.started,
      width: 140,
      shouldCellUpdate: sameRow,
      render: (_, build) =>
        build.startedAt ? (
          <RelativeTime value={build.startedAt} />
        ) : (
          <Typography.Text type="secondary">{t.history.notStarted}</Typography.Text>
        ),
    },
    {
      key: "duration",
      title: t.history.duration,
      width: 110,
      shouldCellUpdate: sameRow,
      render: (_, build) => <Duration from={build.startedAt} to={build.finishedAt} />,
    },
    {
      key: "notes",
      title: t.history.notes,
      ellipsis: true,
      shouldCellUpdate: sameRow,
      render: (_, build) => {
        const note = cancelNote(build, t);
        return note ? <Typography.Text type="secondary">{note}</Typography.Text> : null;
      },
    },
  ];
}
