/** An engine refusal as the CLI prints it: the engine's own status, code and message. */
/** What the engine answered when it refused, or why it could not be asked. */
export class EngineError extends Error {
  constructor(
    /** The HTTP status; 0 when the engine could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "EngineError";
  }
}
