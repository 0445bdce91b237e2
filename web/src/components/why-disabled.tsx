import { Tooltip } from "antd";
import type { ReactNode } from "react";

/**
 * A disabled control says why on hover. A disabled button fires no mouse events itself, hence the
 * wrapper; since it cannot take focus either, pages also say it in text nearby.
 */
export function WhyDisabled({ why, children }: { why: string | null; children: ReactNode }) {
  if (why === null) return children;
  return (
    <Tooltip title={why}>
      <span style={{ display: "inline-block", cursor: "not-allowed" }}>{children}</span>
    </Tooltip>
  );
}
