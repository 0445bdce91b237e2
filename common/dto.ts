/**
 * Shapes of the engine's HTTP API, by their familiar names: the schemas and the types inferred
 * from them live in `contract/` (one schema per message, used by the engine, the client and the
 * OpenAPI document).
 */
export { AgentInfo } from "./contract/agents.ts";
export {
  Build,
  BuildDetail,
  CancelInfo,
  CancelRequest,
  Job,
  LogPage,
  StatusCounts,
  Step,
  TriggerRequest,
} from "./contract/builds.ts";
export { Pipeline, PipelineSummary, Project, ProjectRequest } from "./contract/catalog.ts";
export {
  AuditEntry,
  AuditQuery,
  BatchCancelRequest,
  BatchPreview,
  BatchPreviewRequest,
  BatchRerunPreviewRequest,
  BatchRerunRequest,
  BulkImpact,
  CancelFilter,
  Operation,
  OperationCounts,
  OperationItem,
  OperationSelection,
  OperationsQuery,
  RerunFilter,
} from "./contract/operations.ts";
export { BuildId, BuildNumber, NAME_PATTERN, type Page, Reason, ResourceName } from "./contract/shared.ts";
