import { pino, type DestinationStream } from 'pino';
import type { LogFormat, LogLevel } from './config.js';

/**
 * The gateway's logger (compatible with graphql-yoga's `logging` option): structured JSON lines on stdout
 * (pino), or colourful lines with LOG_FORMAT=pretty. A call takes a message and, optionally, an object of
 * fields and/or an Error: `logger.info('upstream call', { method, ms })`.
 *
 * Levels, lowest first: debug, info, notice, warn, error (LOG_LEVEL takes each). `notice` is for the few
 * lines an operator always wants — start-up, shutdown, breaker and Redis state — and is what the bench runs at.
 */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  notice(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Field names that must never be logged in clear, whatever a caller passes (a second line of defence: the code
 * never logs them on purpose).
 */
export const REDACTED_PATHS = [
  'password',
  'secret',
  'appSecret',
  'token',
  'authenticator',
  'authorization',
  'apiKey',
  'key',
  'sig',
  '_sig',
  'signature',
  'body',
  '*.password',
  '*.secret',
  '*.appSecret',
  '*.token',
  '*.authenticator',
  '*.authorization',
  '*.apiKey',
  '*.key',
  '*.sig',
  '*._sig',
  '*.signature',
  '*.body',
  'headers.authorization',
  'headers.authenticator',
  'headers.cookie',
];

export interface LoggerOptions {
  level: LogLevel;
  format?: LogFormat;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const transport = options.format === 'pretty' && !options.destination ? { target: 'pino-pretty', options: { colorize: true, customLevels: 'notice:35' } } : undefined;
  const base = pino(
    {
      level: options.level,
      customLevels: { notice: 35 },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      ...(transport ? { transport } : {}),
    },
    // Synchronous writes: the last lines before an exit (shutdown, a start-up failure) are never lost.
    options.destination ?? (transport ? undefined : pino.destination({ dest: 1, sync: true })),
  );
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      if (!base.isLevelEnabled(level)) return;
      let message = '';
      let fields: Record<string, unknown> | undefined;
      for (const arg of args) {
        if (typeof arg === 'string') message = message ? `${message} ${arg}` : arg;
        else if (arg instanceof Error) fields = { ...fields, err: arg };
        else if (typeof arg === 'object' && arg !== null) fields = { ...fields, ...(arg as Record<string, unknown>) };
        else if (arg !== undefined) message = message ? `${message} ${String(arg)}` : String(arg);
      }
      const log = (base as unknown as Record<LogLevel, (obj: object, msg?: string) => void>)[level].bind(base);
      if (fields) log(fields, message);
      else log({}, message);
    };
  return { debug: at('debug'), info: at('info'), notice: at('notice'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, notice() {}, warn() {}, error() {} };
