/**
 * Runs the emulator as a process: `npm run emulator -- --port 0` (package.json runs `tsx src/emulator/cli.ts`).
 * Prints exactly one line containing `listening` and the URL (scripts and e2e tests wait for it), with key
 * names only — never secrets. `--help` lists every flag (EMULATOR_USAGE). Exit status 2 for bad flags or a
 * malformed EMULATOR_KEYS.
 */
import { CliUsageError, EMULATOR_USAGE, parseEmulatorCliArgs } from './cli-args.js';
import { startEmulator } from './emulator.js';
import { resolveEmulatorKeys } from './keys.js';

async function main(): Promise<void> {
  let args;
  let keys;
  try {
    args = parseEmulatorCliArgs(process.argv.slice(2));
    keys = resolveEmulatorKeys(undefined, process.env);
  } catch (error) {
    const message = error instanceof CliUsageError ? `${error.message}\n${EMULATOR_USAGE}` : (error as Error).message;
    process.stderr.write(`opretail emulator: ${message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${EMULATOR_USAGE}\n`);
    return;
  }

  const emulator = await startEmulator({
    keys,
    port: args.port,
    host: args.host,
    latencyMs: args.latencyMs,
    timestampWindowSeconds: args.timestampWindowSeconds,
    requireToken: args.requireToken,
    // Nobody can read the call log of a separate process; keep it bounded.
    callLogLimit: 100,
  });
  const mode = args.requireToken ? ', token mode' : '';
  process.stdout.write(`opretail emulator listening on ${emulator.url} (keys: ${keys.map((k) => k.key).join(', ')}${mode})\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // e.g. EADDRINUSE: a one-line reason, no stack.
  process.stderr.write(`opretail emulator: ${(error as Error).message}\n`);
  process.exit(1);
});
