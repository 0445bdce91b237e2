/** The engine's event stream (`GET /v1/events`): schemas and types are in `contract/events.ts`. */
export {
  type BuildChangeEvent,
  EngineEvent,
  EVENT_PAYLOADS,
  EVENT_TYPES,
  type EventPayload,
  type EventType,
  type JobChangeEvent,
  type OperationEvent,
} from "./contract/events.ts";
