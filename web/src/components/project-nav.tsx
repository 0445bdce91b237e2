import { Menu } from "antd";
import { Link } from "react-router";
import { useI18n } from "../lib/i18n/i18n-provider.tsx";

export type ProjectSection = "pipelines" | "operations" | "audit";

/** A project's sections; the audit log only for those who may read it. */
export function ProjectNav({
  project,
  active,
  canAudit,
}: {
  project: string;
  active: ProjectSection;
  canAudit: boolean;
}) {
  const { t } = useI18n();
  const base = `/projects/${encodeURIComponent(project)}`;
  const sections: { key: ProjectSection; label: string; to: string }[] = [
    { key: "pipelines", label: t.projects.pipelines, to: base },
    { key: "operations", label: t.projects.operations, to: `${base}/operations` },
    ...(canAudit ? [{ key: "audit" as const, label: t.projects.audit, to: `${base}/audit` }] : []),
  ];
  return (
    <nav aria-label={t.projects.sections}>
      <Menu
        mode="horizontal"
        selectedKeys={[active]}
        style={{ background: "transparent" }}
        items={sections.map((s) => ({
          key: s.key,
          label: (
            <Link to={s.to} aria-current={s.key === active ? "page" : undefined}>
              {s.label}
            </Link>
          ),
        }))}
      />
    </nav>
  );
}
