import type { Messages } from "./i18n/en.ts";

export function formatDuration(ms: number, t: Messages): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return t.time.duration(Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60);
}

export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}
