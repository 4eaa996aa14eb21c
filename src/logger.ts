import type { LogLevel } from './config.js';

/** A minimal leveled logger (compatible with graphql-yoga's `logging` option): one line per event on stderr. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /** Start-up and shutdown facts (where it listens, demo mode): written whatever the level. */
  notice(...args: unknown[]): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const at =
    (name: LogLevel | 'notice') =>
    (...args: unknown[]) => {
      if (name !== 'notice' && ORDER[name] < ORDER[level]) return;
      const text = args.map((arg) => (typeof arg === 'string' ? arg : formatValue(arg))).join(' ');
      write(`${new Date().toISOString()} ${name.toUpperCase()} ${text}`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), notice: at('notice') };
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, notice() {} };
