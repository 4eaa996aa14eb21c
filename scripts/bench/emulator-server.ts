/**
 * The bench's emulator as its own process, so its work is neither the load generator's nor a server's, and its
 * CPU can be read apart (scripts/bench/emulator-process.ts starts it). It runs the compiled emulator of
 * `dist/`, configured by the `BENCH_EMULATOR` environment variable (JSON: name, keys, latencyMs, faults), prints
 * `<name> listening on <url>`, and answers the bench over the IPC channel: `callCount`, `calls` (arrival and
 * `depId` of each recorded call, all the bench reads of them), `resetCalls`, `setFaults`. It exits when the
 * channel closes (the bench is gone) or on SIGTERM.
 */
import type * as EmulatorModule from '../../src/emulator/index.js';
import { importDist } from './dist-modules.js';
import type { EmulatorSettings } from './emulator-process.js';

const settings = JSON.parse(process.env.BENCH_EMULATOR ?? 'null') as EmulatorSettings | null;
if (settings === null || typeof process.send !== 'function') {
  process.stderr.write('emulator-server.ts is started by the bench (emulator-process.ts), with BENCH_EMULATOR and an IPC channel\n');
  process.exit(2);
}
const { startEmulator } = await importDist<typeof EmulatorModule>('emulator/index.js');
const emulator = await startEmulator({ keys: settings.keys, latencyMs: settings.latencyMs, faults: settings.faults, host: '127.0.0.1', port: 0 });

type Request = { id: number } & ({ op: 'callCount' | 'calls' | 'resetCalls' } | { op: 'setFaults'; faults: EmulatorModule.Fault[] });

function answer(request: Request): unknown {
  switch (request.op) {
    case 'callCount':
      return emulator.callCount();
    case 'calls':
      return emulator.calls.map((call) => ({ at: call.at, depId: call.depId, ...(call.storeIds ? { storeIds: call.storeIds } : {}) }));
    case 'resetCalls':
      emulator.resetCalls();
      return null;
    case 'setFaults':
      emulator.setFaults(request.faults);
      return null;
  }
}

process.on('message', (request: Request) => {
  let reply: { id: number; result: unknown } | { id: number; error: string };
  try {
    reply = { id: request.id, result: answer(request) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(reply);
});

const stop = (): void => void emulator.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
process.stdout.write(`${settings.name} listening on ${emulator.url}\n`);
