import type { Build } from "@common/dto.ts";
import { Checkbox, Table, type TableColumnsType, Tooltip, Typography, theme } from "antd";
import TableMeasureRowContext from "antd/es/table/TableMeasureRowContext";
import { createContext, type HTMLAttributes, memo, use, useMemo, useSyncExternalStore } from "react";
import { Link } from "react-router";
import { CommitSummary } from "../../../components/commit-summary.tsx";
import { Duration } from "../../../components/duration.tsx";
import { EmptyState } from "../../../components/query-states.tsx";
import { RelativeTime } from "../../../components/relative-time.tsx";
import { StatusTag } from "../../../components/status-tag.tsx";
import { buildPath } from "../../../lib/build-path.ts";
import { cancelNote } from "../../../lib/cancel-note.ts";
import { shortCommit } from "../../../lib/format.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { triggerText } from "../../../lib/trigger-text.ts";
import { useWindowRows } from "../../../lib/use-window-rows.ts";
import { isCancelable, rowAction } from "../hooks/use-build-selection.ts";
import type { SelectionStore } from "../utils/selection-store.ts";

type Props = {
  builds: readonly Build[];
  /** The selection, read by each checkbox on its own (see `SelectionStore`). */
  selection: SelectionStore;
  /**
   * What the user's role lets them do here (undefined until known): cancel ticks active rows,
   * trigger ticks finished ones (to re-run them); a row that cannot be ticked says why.
   */
  canCancel: boolean | undefined;
  canTrigger: boolean | undefined;
  onToggle: (id: number, checked: boolean, shift: boolean) => void;
  onTogglePage: () => void;
  loading: boolean;
  emptyText: string;
};

/** Cells re-render only when their row changed (rows keep their identity across live updates). */
const sameRow = (row: Build, prev: Build) => row !== prev;

/**
 * What the user may do, read by each row's checkbox from here: cells re-render only when their
 * row changes, and the permissions may arrive after the rows.
 */
const Allowed = createContext<{ canCancel: boolean | undefined; canTrigger: boolean | undefined }>({
  canCancel: undefined,
  canTrigger: undefined,
});

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
 * The history as a table whose rows render only near the viewport, and whose checkboxes follow
 * the selection by themselves: with 2,000 loaded builds, ticking the header box or a live update
 * costs what it does with 50. At narrow widths the checkbox, build number and status stay put
 * while the other columns scroll.
 */
export const HistoryTable = memo(function HistoryTable({
  builds,
  selection,
  canCancel,
  canTrigger,
  onToggle,
  onTogglePage,
  loading,
  emptyText,
}: Props) {
  const { t, language } = useI18n();
  const { token } = theme.useToken();
  const anySelectable = canCancel === true && builds.some(isCancelable);
  const headerWhy = canCancel === false ? t.history.noPermission : anySelectable ? null : t.history.nothingRunning;
  const columns = useMemo(
    () => [
      selectColumn({ selection, canCancel, anySelectable, headerWhy, onToggle, onTogglePage, t }),
      ...buildColumns(t),
    ],
    [selection, canCancel, anySelectable, headerWhy, onToggle, onTogglePage, t],
  );
  const allowed = useMemo(() => ({ canCancel, canTrigger }), [canCancel, canTrigger]);
  const { start, end, rowHeight, containerRef } = useWindowRows(builds.length);
  const visible = useMemo(() => builds.slice(start, end), [builds, start, end]);
  const spacers = useMemo(
    () => ({ before: start * rowHeight, after: (builds.length - end) * rowHeight, columns: columns.length }),
    [start, end, rowHeight, builds.length, columns.length],
  );

  return (
    <div ref={containerRef} className="sluice-history">
      {/* A ticked row is highlighted by CSS alone, so ticking re-renders no row. */}
      <style>{`.sluice-history tr:has(input[aria-label][type="checkbox"]:checked) > td { background: ${token.controlItemBgActive}; }`}</style>
      <Allowed value={allowed}>
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
            locale={{ emptyText: <EmptyState>{emptyText}</EmptyState> }}
            scroll={{ x: 1260 }}
            onRow={(_, index) => ({ "aria-rowindex": start + (index ?? 0) + 2 }) as HTMLAttributes<HTMLElement>}
          />
        </Spacers>
      </Allowed>
    </div>
  );
});

function selectColumn({
  selection,
  canCancel,
  anySelectable,
  headerWhy,
  onToggle,
  onTogglePage,
  t,
}: {
  selection: SelectionStore;
  canCancel: boolean | undefined;
  anySelectable: boolean;
  headerWhy: string | null;
  onToggle: Props["onToggle"];
  onTogglePage: () => void;
  t: Messages;
}): TableColumnsType<Build>[number] {
  const header = <HeaderCheckbox selection={selection} disabled={!anySelectable} onToggle={onTogglePage} t={t} />;
  return {
    key: "select",
    width: 48,
    fixed: "left",
    align: "center",
    title:
      headerWhy !== null && canCancel !== undefined ? (
        <Tooltip title={headerWhy}>
          <span>{header}</span>
        </Tooltip>
      ) : (
        header
      ),
    shouldCellUpdate: sameRow,
    render: (_, build) => <RowCheckbox build={build} selection={selection} onToggle={onToggle} t={t} />,
  };
}

function HeaderCheckbox({
  selection,
  disabled,
  onToggle,
  t,
}: {
  selection: SelectionStore;
  disabled: boolean;
  onToggle: () => void;
  t: Messages;
}) {
  const page = useSyncExternalStore(selection.subscribe, () => selection.get().page);
  // antd renders each column title a second time, hidden, to measure it; a checkbox there would be
  // a second, invisible Tab stop (and focusable content under aria-hidden).
  if (use(TableMeasureRowContext)) return <span style={{ display: "inline-block", width: 16 }} />;
  return (
    <Checkbox
      aria-label={t.history.selectPage}
      checked={page === "all"}
      indeterminate={page === "some"}
      disabled={disabled}
      onChange={onToggle}
    />
  );
}

function RowCheckbox({
  build,
  selection,
  onToggle,
  t,
}: {
  build: Build;
  selection: SelectionStore;
  onToggle: Props["onToggle"];
  t: Messages;
}) {
  const { canCancel, canTrigger } = use(Allowed);
  const checked = useSyncExternalStore(selection.subscribe, () => selection.get().isSelected(build.id));
  const known = canCancel !== undefined && canTrigger !== undefined;
  const selectable = rowAction(build, { canCancel: canCancel === true, canTrigger: canTrigger === true }) !== null;
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
  if (selectable || !known) return box;
  const why =
    build.status === "CANCELING"
      ? t.history.cannotSelectCanceling
      : isCancelable(build) || !canCancel
        ? t.history.noPermission
        : t.history.cannotSelectFinished(t.status[build.status]);
  return (
    <Tooltip title={why}>
      <span>{box}</span>
    </Tooltip>
  );
}

function buildColumns(t: Messages): TableColumnsType<Build> {
  return [
    {
      key: "number",
      title: t.history.number,
      width: 90,
      fixed: "left",
      shouldCellUpdate: sameRow,
      render: (_, build) => <Link to={buildPath(build)}>#{build.number}</Link>,
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
      key: "message",
      title: t.history.message,
      width: 260,
      shouldCellUpdate: sameRow,
      render: (_, build) => <CommitSummary build={build} />,
    },
    {
      key: "triggeredBy",
      title: t.history.triggeredBy,
      width: 130,
      ellipsis: true,
      shouldCellUpdate: sameRow,
      render: (_, build) => triggerText(build, t),
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
