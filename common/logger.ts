/**
 * Structured logs with pino: one JSON line per entry on stderr, with the time, level, component
 * and fields; an `err` field keeps the error's type, message and stack. Callers log a message
 * with fields (`log.warn("sweep failed", { err })`).
 */
import pino from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

export type Logger = {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every entry (a request id, an agent id). */
  child(fields: LogFields): Logger;
  /** The pino logger underneath (for pino-http). */
  readonly pino: pino.Logger;
};

export function createLogger(
  level: LogLevel,
  component: string,
  /** Where lines go: stderr unless a test gives a stream. */
  destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return wrap(
    pino(
      {
        level,
        base: { component },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        serializers: { err: pino.stdSerializers.err },
      },
      // Synchronous (the default): a line written just before the process exits is not lost.
      destination,
    ),
  );
}

function wrap(log: pino.Logger): Logger {
  return {
    debug: (msg, fields) => log.debug(fields ?? {}, msg),
    info: (msg, fields) => log.info(fields ?? {}, msg),
    warn: (msg, fields) => log.warn(fields ?? {}, msg),
    error: (msg, fields) => log.error(fields ?? {}, msg),
    child: (fields) => wrap(log.child(fields)),
    pino: log,
  };
}
