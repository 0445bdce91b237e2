/** The repository events an operation of source `repository` comes from (read by `repositoryEvent` in cancel-note.ts). */
export type RepositoryEvent =
  | "new_commits"
  | "push"
  | "pull_request_updated"
  | "branch_deleted"
  | "pull_request_closed"
  | "pull_request_merged";
