import { spawn, type ChildProcess } from 'node:child_process';

/** A server the bench started as a child process, listening on loopback. */
export interface ChildServer {
  name: string;
  pid: number | undefined;
  /** The GraphQL endpoint the child announced. */
  url: string;
  /** The child's last output lines, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Sends `message` over the IPC channel (children started with `ipc: true`) and resolves with the child's
   * reply: the child answers `{ id, result }` or `{ id, error }` to each `{ id, ... }` it receives.
   */
  request(message: Record<string, unknown>): Promise<unknown>;
}

export interface StartChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Matches the announcement line; group 1 is the URL. */
  ready: RegExp;
  /** Give up (and kill the child) if it has not announced itself by then. @default 30000 */
  timeoutMs?: number;
  /** Open an IPC channel to the child, for `request`. @default false */
  ipc?: boolean;
}

const TAIL_LINES = 40;

/** Every child still running: the exit and signal handlers of run.ts kill whatever is left here. */
const running = new Set<ChildProcess>();

/** Starts a child and resolves once its stdout or stderr matches `ready`. */
export function startChildServer(options: StartChildOptions): Promise<ChildServer> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));

  // Replies to `request`, by id; a child that exits fails whatever it has not answered.
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', (reply: { id?: unknown; result?: unknown; error?: unknown }) => {
    const waiter = typeof reply.id === 'number' ? pending.get(reply.id) : undefined;
    if (waiter === undefined) return;
    pending.delete(reply.id as number);
    if (reply.error !== undefined) waiter.reject(new Error(`${options.name}: ${String(reply.error)}`));
    else waiter.resolve(reply.result);
  });
  child.once('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${options.name} exited`));
    pending.clear();
  });
  const request = (message: Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error(`${options.name}: no IPC channel`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...message, id }, (error) => {
        if (error === null) return;
        pending.delete(id);
        reject(error);
      });
    });

  // Output is drained for the child's whole life: a full pipe would block its writes and stall the server.
  const lines: string[] = [];
  let partial = '';
  const listeners = new Set<(line: string) => void>();
  const onData = (chunk: Buffer): void => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      for (const listener of listeners) listener(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const tail = (): string => [...lines, partial].filter((line) => line !== '').join('\n');

  const stop = async (graceMs = 3_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<ChildServer>((resolve, reject) => {
    const fail = (reason: string): void => {
      cleanup();
      void stop(500).then(() => reject(new Error(`${options.name}: ${reason}\n${tail()}`)));
    };
    const onLine = (line: string): void => {
      const match = options.ready.exec(line);
      if (match?.[1] === undefined) return;
      cleanup();
      resolve({ name: options.name, pid: child.pid, url: match[1], tail, stop, request });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited (${signal ?? code}) before it was listening`);
    const onError = (error: Error): void => fail(`could not start: ${error.message}`);
    const timer = setTimeout(() => fail(`not listening after ${options.timeoutMs ?? 30_000} ms`), options.timeoutMs ?? 30_000);
    const cleanup = (): void => {
      clearTimeout(timer);
      listeners.delete(onLine);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    listeners.add(onLine);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Last resort for `process.on('exit')`, which cannot wait: SIGKILL every child still running. */
export function killAllChildrenNow(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Runs a command to completion (e.g. `npm run build`), bounded by `timeoutMs`; resolves with its output. */
export function runToCompletion(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => {
    // SIGTERM first: npm forwards it to the script it runs (tsc), which SIGKILL on npm alone would orphan.
    let force: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      output += `\n(stopped after ${timeoutMs} ms)`;
      child.kill('SIGTERM');
      force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    }, timeoutMs);
    child.once('error', (error) => {
      output += `\n${error.message}`;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      clearTimeout(force);
      running.delete(child);
      resolve({ code, output });
    });
  });
}
