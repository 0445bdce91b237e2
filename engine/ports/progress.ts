/** Operation progress (a port): settling code says an operation moved; the reporter coalesces. */
export type Progress = {
  /** Some item of this operation settled: report its counts soon. */
  touch(operationId: string): void;
};
