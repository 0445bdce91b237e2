/** The durable queue's task that settles an operation (its ref is the operation id); run by `scheduler/settle-worker.ts`. */
export const SETTLE_TASK = "settle-operation";
