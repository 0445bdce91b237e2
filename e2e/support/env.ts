/** Where the Sluice under test runs (chosen by playwright.config.ts). */
export const E2E = {
  baseURL: `http://127.0.0.1:${process.env.SLUICE_E2E_PORT}`,
  engineURL: `http://127.0.0.1:${process.env.SLUICE_E2E_ENGINE_PORT}`,
  adminToken: process.env.SLUICE_E2E_ADMIN_TOKEN ?? "",
  adminPassword: process.env.SLUICE_E2E_ADMIN_PASSWORD ?? "",
  dataDir: process.env.SLUICE_E2E_DATA_DIR ?? "",
  /** The agent's workspaces: next to the data dir by default (SLUICE_WORK_DIR). */
  workDir: `${process.env.SLUICE_E2E_DATA_DIR ?? ""}-workspaces`,
};

/**
 * `tabs` is a developer of its own for the many-tabs story: it keeps as many cancels running as a
 * user may (five), so no other story may share its budget.
 */
export const ROLES = ["admin", "dev", "viewer", "maint", "tabs"] as const;
export type RoleName = (typeof ROLES)[number];

export function passwordOf(user: RoleName): string {
  return user === "admin" ? E2E.adminPassword : `${user}-e2e-password`;
}

export function storageStateOf(user: RoleName): string {
  return `e2e/.auth/${user}.json`;
}
