import { Tooltip } from "antd";
import type { ReactNode } from "react";

/**
 * A disabled control says why on hover. A disabled button fires no mouse events itself, hence the
 * wrapper; since it cannot take focus either, pages also say it in text nearby. The wrapper is
 * there enabled or not, so the control stays the same element (a dialog gives focus back to it).
 */
export function WhyDisabled({ why, children }: { why: string | null; children: ReactNode }) {
  return (
    <Tooltip title={why}>
      <span style={{ display: "inline-block", cursor: why === null ? undefined : "not-allowed" }}>{children}</span>
    </Tooltip>
  );
}
