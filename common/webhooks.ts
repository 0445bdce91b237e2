/** Webhooks' requests, answers, header and event names: see `contract/webhooks.ts`. */
export * from "./contract/webhooks.ts";
