import { Input } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router";
import { buildPath } from "../../../lib/build-path.ts";
import { useI18n } from "../../../lib/i18n/i18n-provider.tsx";

/** "Go to #N": opens a build of this pipeline by its number (a leading # is fine). */
export function GoToBuild({ project, pipeline }: { project: string; pipeline: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [invalid, setInvalid] = useState(false);
  return (
    <Input.Search
      aria-label={t.history.goTo}
      placeholder={t.history.goToPlaceholder}
      enterButton={t.history.goToButton}
      status={invalid ? "error" : undefined}
      style={{ width: 200 }}
      onChange={() => setInvalid(false)}
      onSearch={(value) => {
        const match = /^\s*#?(\d{1,16})\s*$/.exec(value);
        const number = match ? Number(match[1]) : 0;
        if (!Number.isSafeInteger(number) || number <= 0) {
          setInvalid(true);
          return;
        }
        void navigate(buildPath({ project, pipeline, number }));
      }}
    />
  );
}
