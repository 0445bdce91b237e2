/**
 * The last lines `sluice start` prints: where to open the page, whom to sign in as and where
 * each password is kept. It names files and variables, never the secrets in them.
 */
import path from "node:path";

export type WelcomeInput = {
  pageUrl: string;
  engineUrl: string;
  dataDir: string;
  /** The admin password and token came from the environment rather than files. */
  adminPasswordFromEnv: boolean;
  adminTokenFromEnv: boolean;
  /** Demo users (seeded next to admin), each with the file holding its password. */
  demoUsers: readonly { username: string; role: string; passwordFile: string }[];
  /** Where paths are shown from (the directory `npm start` ran in). */
  cwd: string;
  /** The demo's bare repository, to clone and push to. */
  demoRepository?: string;
};

/** `http://127.0.0.1:8080` and `http://0.0.0.0:8080` open as `http://localhost:8080`. */
export function browserUrl(url: string): string {
  const u = new URL(url);
  if (["127.0.0.1", "0.0.0.0", "[::]", "[::1]"].includes(u.hostname)) u.hostname = "localhost";
  return u.origin;
}

/** A path as the reader can use it from `cwd`: relative when inside it (`data/admin-password`). */
export function shownPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

export function welcomeMessage(input: WelcomeInput): string {
  const file = (name: string) => shownPath(path.join(input.dataDir, name), input.cwd);
  const adminPassword = input.adminPasswordFromEnv
    ? "the password you set in SLUICE_ADMIN_PASSWORD"
    : `password in ${file("admin-password")}`;
  const adminToken = input.adminTokenFromEnv ? "SLUICE_ADMIN_TOKEN" : file("admin-token");
  const lines = [
    "",
    "Sluice is running.",
    `  Open ${browserUrl(input.pageUrl)} and sign in as admin (${adminPassword}).`,
  ];
  if (input.demoUsers.length > 0) {
    lines.push("  Demo users on the demo project:");
    const width = Math.max(...input.demoUsers.map((u) => u.username.length));
    for (const user of input.demoUsers) {
      lines.push(`    ${user.username.padEnd(width)}  ${user.role}, password in ${file(user.passwordFile)}`);
    }
  }
  if (input.demoRepository) {
    lines.push(
      "  Push to the demo repository (its push pipeline builds every push; push twice and the first is superseded):",
      `    git clone ${shownPath(input.demoRepository, input.cwd)} sluice-demo && cd sluice-demo`,
      `    echo change >> README.md && git commit -qam "first" && git push`,
      `    echo again >> README.md && git commit -qam "second" && git push`,
    );
  }
  lines.push(`  Engine API: ${input.engineUrl} (admin token in ${adminToken})`, "  Stop with Ctrl-C.", "");
  return lines.join("\n");
}
