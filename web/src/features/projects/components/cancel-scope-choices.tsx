import { Flex, Select } from "antd";
import { TextFilter } from "../../../components/text-filter.tsx";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";
import type { CancelScope } from "../utils/cancel-scope.ts";

type Props = {
  value: CancelScope;
  onChange: (next: CancelScope) => void;
  /** The project's pipelines, to choose from. */
  pipelines: readonly string[];
  /** Branches seen on the page, offered as suggestions. */
  branches: readonly string[];
};

/** Which running builds of a project to cancel: a branch and some pipelines; the preview below follows. */
export function CancelScopeChoices({ value, onChange, pipelines, branches }: Props) {
  const { t } = useI18n();
  return (
    <Flex role="group" aria-label={t.projects.cancelChoices} gap={8} wrap>
      <TextFilter
        label={t.projects.branchChoice}
        placeholder={t.projects.branchChoicePlaceholder}
        value={value.branch}
        onChange={(branch) => onChange({ ...value, branch })}
        suggestions={branches}
        width={200}
      />
      <Select<string[]>
        mode="multiple"
        allowClear
        aria-label={t.projects.pipelinesChoice}
        placeholder={t.projects.pipelinesChoicePlaceholder}
        style={{ minWidth: 240, flex: 1 }}
        value={value.pipelines}
        options={pipelines.map((name) => ({ value: name, label: name }))}
        onChange={(chosen) => onChange({ ...value, pipelines: chosen })}
        virtual={false}
      />
    </Flex>
  );
}
