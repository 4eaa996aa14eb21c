import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Command-line flags of `src/emulator/cli.ts` (`npm run emulator -- …`). */
export interface EmulatorCliArgs {
  /** @default 0 */
  port: number;
  /** @default '127.0.0.1' */
  host: string;
  /** @default 0 */
  latencyMs: number;
  /** @default 300 */
  timestampWindowSeconds: number;
  /** @default false */
  requireToken: boolean;
  help: boolean;
}

/**
 * Every flag `parseEmulatorCliArgs` accepts, as `node:util` `parseArgs` takes them. `EMULATOR_USAGE` and the
 * README's emulator section list each one (test/integration/emulator-cli.test.ts checks both).
 */
export const EMULATOR_CLI_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'latency-ms': { type: 'string' },
  'timestamp-window': { type: 'string' },
  'require-token': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** `--help`, written as users type the command (package.json's `emulator` script runs `tsx src/emulator/cli.ts`). */
export const EMULATOR_USAGE = [
  'usage: npm run emulator -- [--port N] [--host H] [--latency-ms N] [--timestamp-window S] [--require-token]',
  '  --port N              port to listen on (default 0: any free port; the URL is printed at start)',
  '  --host H              interface to listen on (default 127.0.0.1)',
  '  --latency-ms N        delay added before every answer, in ms (default 0)',
  '  --timestamp-window S  largest accepted |emulator clock - _timestamp|, in seconds (default 300)',
  '  --require-token       token mode: business methods need a token from mobileLogin (user demo, password demo-password)',
  '  -h, --help            print this help',
  'keys come from EMULATOR_KEYS="key:secret[,key2:secret2…]" (default demo-key:demo-secret)',
].join('\n');

/** Thrown for bad flags; the CLI prints the message and exits with status 2. */
export class CliUsageError extends Error {
  readonly code = 'CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** @throws CliUsageError on an unknown flag, a missing value or a value out of range. */
export function parseEmulatorCliArgs(argv: readonly string[]): EmulatorCliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: EMULATOR_CLI_OPTIONS,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const host = values.host ?? '127.0.0.1';
  if (host === '') throw new CliUsageError('--host must not be empty');
  return {
    port: integerFlag('--port', values.port, 0, 0, 65535),
    host,
    latencyMs: integerFlag('--latency-ms', values['latency-ms'], 0, 0, 3_600_000),
    timestampWindowSeconds: integerFlag('--timestamp-window', values['timestamp-window'], 300, 1, 86_400 * 366),
    requireToken: values['require-token'] ?? false,
    help: values.help ?? false,
  };
}

function integerFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new CliUsageError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new CliUsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}
