import { BUILD_TRIGGER_KINDS, type BuildTriggerKind } from "@common/contract/builds.ts";
import type { StatusCounts } from "@common/dto.ts";
import type { BuildStatus } from "@common/statuses.ts";
import { BUILD_STATUSES } from "@common/statuses.ts";
import { AutoComplete, Button, Flex, InputNumber, Select } from "antd";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import { byTrigger, type HistoryFilters as Filters } from "../../../lib/query-keys.ts";

type Props = {
  filters: Filters;
  onChange: (next: Partial<Filters>) => void;
  counts: StatusCounts | undefined;
  /** Branches seen in the loaded rows, offered as suggestions. */
  branches: readonly string[];
};

const TYPING_PAUSE_MS = 400;

/** Memoized: ticking rows re-renders the page around it, and its selects are costly to render. */
export const HistoryFilters = memo(function HistoryFilters({ filters, onChange, counts, branches }: Props) {
  const { t } = useI18n();
  const [branch, setBranch] = useState(filters.branch);
  const sent = useRef(filters.branch);
  const applyBranch = useCallback(
    (value: string) => {
      sent.current = value.trim();
      onChange({ branch: value });
    },
    [onChange],
  );

  // The URL changed under us (back/forward, "Clear filters"), not through typing here.
  useEffect(() => {
    if (filters.branch === sent.current) return;
    sent.current = filters.branch;
    setBranch(filters.branch);
  }, [filters.branch]);
  useEffect(() => {
    if (branch.trim() === sent.current) return;
    const timer = setTimeout(() => applyBranch(branch), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [branch, applyBranch]);

  const statusOptions = BUILD_STATUSES.map((status) => ({
    value: status,
    label: counts ? t.history.statusCount(t.status[status], counts[status]) : t.status[status],
  }));
  const branchOptions = useMemo(
    () =>
      [...new Set(branches)]
        .filter((b) => b.toLowerCase().includes(branch.toLowerCase()))
        .slice(0, 20)
        .map((value) => ({ value })),
    [branches, branch],
  );
  const filtered = filters.status.length > 0 || filters.branch !== "" || byTrigger(filters);
  const triggerOptions = BUILD_TRIGGER_KINDS.map((kind) => ({ value: kind, label: t.history.triggerKinds[kind] }));

  return (
    <Flex gap={8} wrap align="center">
      <Select<BuildStatus[]>
        mode="multiple"
        allowClear
        aria-label={t.history.statusFilter}
        placeholder={t.history.statusFilterPlaceholder}
        style={{ minWidth: 260 }}
        value={filters.status}
        options={statusOptions}
        onChange={(status) => onChange({ status })}
        maxTagCount="responsive"
        virtual={false}
      />
      <AutoComplete
        aria-label={t.history.branchFilter}
        placeholder={t.history.branchFilterPlaceholder}
        style={{ width: 220 }}
        allowClear
        value={branch}
        options={branchOptions}
        onChange={(value) => setBranch(value ?? "")}
        onSelect={(value: string) => applyBranch(value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") applyBranch(branch);
        }}
      />
      <Select<BuildTriggerKind>
        allowClear
        aria-label={t.history.triggerFilter}
        placeholder={t.history.triggerFilterPlaceholder}
        style={{ width: 170 }}
        value={filters.trigger}
        options={triggerOptions}
        onChange={(trigger) => onChange({ trigger })}
        virtual={false}
      />
      <InputNumber<number>
        aria-label={t.history.pullRequestFilter}
        placeholder={t.history.pullRequestFilterPlaceholder}
        prefix="#"
        min={1}
        max={999_999_999}
        precision={0}
        style={{ width: 150 }}
        value={filters.pullRequest ?? null}
        onChange={(value) => onChange({ pullRequest: value ?? undefined })}
      />
      {filtered && (
        <Button
          type="link"
          onClick={() => onChange({ status: [], branch: "", trigger: undefined, pullRequest: undefined })}
        >
          {t.history.clearFilters}
        </Button>
      )}
    </Flex>
  );
});
