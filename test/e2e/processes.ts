import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Helpers for e2e tests: real processes on loopback, always killed afterwards. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  child: ChildProcess;
  match: RegExpMatchArray;
  output: () => string;
  /**
   * Resolves with the first match of `pattern` in the output, as soon as the output holds one (now or later).
   * Rejects — the test fails — if the process exits first or nothing matches within `timeoutMs`.
   * @default timeoutMs 10_000
   */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
}

const children = new Set<ChildProcess>();

/**
 * Spawns a process and resolves once its output matches `ready`; rejects if it exits first, or after 30 s
 * (under e2e's 60 s hook timeout, so the failure shows the output so far).
 */
export function startProcess(command: string, args: string[], env: Record<string, string | undefined>, ready: RegExp): Promise<Started> {
  // Each gateway gets a metrics listener on a free port (the default 9464 would clash between processes).
  const child = spawn(command, args, { cwd: root, env: { ...process.env, METRICS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  /** Called after every chunk and at exit, until each has settled its promise. */
  const watchers = new Set<(exited: boolean) => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const watch of watchers) watch(false);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  // 'close', not 'exit': by then stdout and stderr are drained, so a line written just before exiting counts.
  child.once('close', () => {
    for (const watch of watchers) watch(true);
  });

  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        watchers.delete(watch);
      };
      const watch = (exited: boolean) => {
        const match = output.match(pattern);
        if (match) {
          done();
          resolve(match);
        } else if (exited) {
          done();
          reject(new Error(`${command} exited before its output matched ${pattern}:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      watchers.add(watch);
      watch(child.exitCode !== null || child.signalCode !== null);
    });

  return waitForOutput(ready, 30_000).then((match) => ({ child, match, output: () => output, waitForOutput }));
}

/** Runs a process to its end. */
export function runProcess(command: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  // Each gateway gets a metrics listener on a free port (the default 9464 would clash between processes).
  const child = spawn(command, args, { cwd: root, env: { ...process.env, METRICS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** SIGTERM every process still running, and wait for them to exit. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** A loopback port that was free a moment ago, for programs that cannot report the port they bound. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function postGraphQL(url: string, query: string, variables?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}
