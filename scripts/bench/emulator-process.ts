/**
 * The emulator every bench scenario calls, run as a child process (emulator-server.ts) instead of in the bench
 * process: in-process it shared the load generator's event loop, which added its own delay to every upstream
 * call and mixed its CPU into the load generator's. The bench reads and resets the call log over IPC.
 */
import type { Fault } from '../../src/emulator/index.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { REPO_ROOT } from './repo-root.js';
import type { RecordedCall, UpstreamLog } from './upstream-calls.js';

/** What the child is configured with (the `BENCH_EMULATOR` variable, JSON). */
export interface EmulatorSettings {
  /** Its name in progress lines, tables and the `<name> listening on` line. */
  name: string;
  keys: { key: string; secret: string }[];
  /** Latency added to every answer, ms. */
  latencyMs: number;
  faults?: Fault[];
}

/** The emulator process, seen from the bench. */
export interface BenchEmulator extends UpstreamLog {
  name: string;
  pid: number | undefined;
  /** The API endpoint, e.g. `http://127.0.0.1:PORT/cloud.api`. */
  url: string;
  setFaults(faults: Fault[]): Promise<void>;
  /** The child's last output lines, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/** Starts the emulator as a child process and resolves once it listens. */
export async function startEmulatorProcess(settings: EmulatorSettings): Promise<BenchEmulator> {
  const child: ChildServer = await startChildServer({
    name: settings.name,
    command: process.execPath,
    args: ['--import', 'tsx', 'scripts/bench/emulator-server.ts'],
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_EMULATOR: JSON.stringify(settings) },
    ready: new RegExp(`^${settings.name} listening on (http://127\\.0\\.0\\.1:\\d+/cloud\\.api)`),
    ipc: true,
  });
  return {
    name: child.name,
    pid: child.pid,
    url: child.url,
    callCount: async () => (await child.request({ op: 'callCount' })) as number,
    calls: async () => (await child.request({ op: 'calls' })) as RecordedCall[],
    resetCalls: async () => void (await child.request({ op: 'resetCalls' })),
    setFaults: async (faults) => void (await child.request({ op: 'setFaults', faults })),
    tail: child.tail,
    stop: () => child.stop(),
  };
}
