import { Checkbox, Table, type TableColumnsType, Tooltip, Typography } from "antd";
import { createContext, type HTMLAttributes, memo, type ReactNode, use, useMemo } from "react";
import { Link } from "react-router";
import type { Build } from "../../../../../common/dto.ts";
import { Duration } from "../../../components/duration.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { cancelNote } from "../../../lib/cancel-note.ts";
import { shortCommit } from "../../../lib/format.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { useWindowRows } from "../../../lib/use-window-rows.ts";
import { isCancelable } from "../hooks/use-build-selection.ts";
import type { SelectionView } from "../utils/selection.ts";

type Props = {
  builds: readonly Build[];
  selection: SelectionView;
  /** The user's role lets them cancel here (undefined until known); otherwise no row can be ticked, and each says why. */
  canCancel: boolean | undefined;
  onToggle: (id: number, checked: boolean, shift: boolean) => void;
  onTogglePage: () => void;
  loading: boolean;
  emptyText: ReactNode;
};

/** Cells re-render only when their row changed (rows keep their identity across live updates). */
const sameRow = (row: Build, prev: Build) => row !== prev;

/** The space of the rows not rendered, above and below the window. */
const Spacers = createContext({ before: 0, after: 0, columns: 0 });

/** The table body with stand-in space for rows outside the window, so the page scrolls as if all were there. */
function SpacedBody({ children, ...props }: HTMLAttributes<HTMLTableSectionElement>) {
  const { before, after, columns } = use(Spacers);
  return (
    <tbody {...props}>
      {before > 0 && (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer row, never focusable; screen readers skip it
        <tr aria-hidden="true" style={{ height: before }}>
          <td colSpan={columns} style={{ padding: 0, border: 0 }} />
        </tr>
      )}
      {children}
      {after > 0 && (
        // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer row, never focusable; screen readers skip it
        <tr aria-hidden="true" style={{ height: after }}>
          <td colSpan={columns} style={{ padding: 0, border: 0 }} />
        </tr>
      )}
    </tbody>
  );
}

const COMPONENTS = { body: { wrapper: SpacedBody } };

/**
 * The history as a table whose rows render only near the viewport: 2,000 loaded builds cost
 * what 60 do when the header box is ticked or a live update arrives. At narrow widths the
 * checkbox, build number and status stay put while the other columns scroll.
 */
export function HistoryTable({ builds, selection, canCancel, onToggle, onTogglePage, loading, emptyText }: Props) {
  const { t, language } = useI18n();
  const columns = useMemo(() => buildColumns(t), [t]);
  const { start, end, rowHeight, containerRef } = useWindowRows(builds.length);
  const visible = useMemo(() => builds.slice(start, end), [builds, start, end]);
  const selectedKeys = useMemo(
    () => visible.filter((b) => selection.isSelected(b.id)).map((b) => b.id),
    [visible, selection],
  );
  const spacers = useMemo(
    () => ({ before: start * rowHeight, after: (builds.length - end) * rowHeight, columns: columns.length + 1 }),
    [start, end, rowHeight, builds.length, columns.length],
  );
  const anySelectable = canCancel === true && builds.some(isCancelable);
  const headerWhy = canCancel === false ? t.history.noPermission : anySelectable ? null : t.history.nothingRunning;
  const headerBox = (
    <Checkbox
      aria-label={t.history.selectPage}
      checked={selection.page === "all"}
      indeterminate={selection.page === "some"}
      disabled={!anySelectable}
      onChange={onTogglePage}
    />
  );

  return (
    <div ref={containerRef}>
      <Spacers value={spacers}>
        <Table<Build>
          // shouldCellUpdate keeps cells from re-rendering on a new language; remount instead.
          key={language}
          aria-label={t.history.table}
          aria-rowcount={builds.length + 1}
          rowKey="id"
          size="middle"
          columns={columns}
          components={COMPONENTS}
          dataSource={visible}
          loading={loading}
          pagination={false}
          locale={{ emptyText }}
          scroll={{ x: 1000 }}
          onRow={(_, index) => ({ "aria-rowindex": start + (index ?? 0) + 2 }) as HTMLAttributes<HTMLElement>}
          rowSelection={{
            selectedRowKeys: selectedKeys,
            columnWidth: 48,
            fixed: true,
            columnTitle:
              !anySelectable && canCancel !== undefined ? (
                <Tooltip title={headerWhy}>
                  <span>{headerBox}</span>
                </Tooltip>
              ) : (
                headerBox
              ),
            renderCell: (_checked, build) => (
              <RowCheckbox
                build={build}
                checked={selection.isSelected(build.id)}
                canCancel={canCancel}
                onToggle={onToggle}
                t={t}
              />
            ),
          }}
        />
      </Spacers>
    </div>
  );
}

const RowCheckbox = memo(function RowCheckbox({
  build,
  checked,
  canCancel,
  onToggle,
  t,
}: {
  build: Build;
  checked: boolean;
  canCancel: boolean | undefined;
  onToggle: Props["onToggle"];
  t: Messages;
}) {
  const selectable = canCancel === true && isCancelable(build);
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
  if (selectable || canCancel === undefined) return box;
  const why = !canCancel
    ? t.history.noPermission
    : build.status === "CANCELING"
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
      fixed: "left",
      shouldCellUpdate: sameRow,
      render: (_, build) => <Link to={`/builds/${build.id}`}>#{build.number}</Link>,
    },
    {
      key: "status",
      title: t.history.status,
      width: 140,
      fixed: "left",
      shouldCellUpdate: sameRow,
      render: (_, build) => <StatusTag status={build.status} />,
    },
    {
      key: "branch",
      title: t.history.branch,
      ellipsis: true,
      shouldCellUpdate: sameRow,
      render: (_, build) => build.branch || t.common.none,
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
        return note ? <Typography.Text type="secondary">{note}</Typography.Text> : t.common.none;
      },
    },
  ];
}
