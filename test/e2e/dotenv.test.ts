import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postGraphQL as post, root } from './processes.js';

/**
 * `.env` as a newcomer uses it: `node dist/server.js` (what `npm start` runs, built by global-setup.ts) started in
 * a directory that holds a `.env`. The unit tests of src/env-file.ts cover the parsing; these check that the
 * server really reads the file of its working directory at start-up, before its configuration.
 *
 * Skipped until src/server.ts calls loadEnvFile() first thing in main(): unskip them then.
 */

const SERVER = join(root, 'dist', 'server.js');
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(async () => {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }),
  );
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh working directory holding `.env` with `content`. */
function workDir(content: string): string {
  // realpath: the server names the file by its working directory's real path (macOS's /tmp is a symlink).
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'dotenv-e2e-')));
  dirs.push(dir);
  writeFileSync(join(dir, '.env'), content);
  return dir;
}

/** The environment of the test run without anything the gateway reads, so only `.env` and `extra` configure it. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(HOST|PORT|LOG_LEVEL|NODE_ENV|REDIS_URL|(GATEWAY|OPRETAIL|CACHE|EMULATOR)_.*)$/.test(name)) env[name] = value;
  }
  // Each gateway's metrics on a free port (the default 9464 would clash with other tests' gateways).
  return { ...env, METRICS_PORT: '0', ...extra };
}

/** Starts the built server in `cwd`; resolves on its listening line, or with its exit code and output if it exits first. */
function startServer(cwd: string, env: NodeJS.ProcessEnv): Promise<{ url: string } | { code: number | null; output: string }> {
  const child = spawn(process.execPath, [SERVER], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+\/graphql)/.exec(output)?.[1];
      if (url !== undefined) resolve({ url });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // 'close', not 'exit': by then the output is drained.
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function listening(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const started = await startServer(cwd, env);
  if (!('url' in started)) throw new Error(`the server exited (${started.code}) before listening:\n${started.output}`);
  return started.url;
}

/** `stores(ids:)` with `count` distinct ids: the limit GATEWAY_MAX_STORE_IDS guards, checked before any upstream call. */
function storesQuery(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => `"${174679 + i}"`).join(', ');
  return `{ stores(ids: [${ids}]) { id } }`;
}

describe('.env in the working directory', () => {
  it('is read at start-up: PORT=0 and GATEWAY_MAX_STORE_IDS=3 from the file are used', async () => {
    // PORT=0 from the file: without it the server would try 4000 (and print that port).
    const url = await listening(workDir('# copied from .env.example\nHOST=127.0.0.1\nPORT=0\nGATEWAY_MAX_STORE_IDS=3\n'), cleanEnv());
    expect(url).not.toContain(':4000/');
    expect((await post(url, storesQuery(3))).errors).toBeUndefined();
    const refused = await post(url, storesQuery(4));
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/at most 3 ids/);
  });

  it('the real environment wins over the file', async () => {
    const url = await listening(workDir('HOST=127.0.0.1\nPORT=0\nGATEWAY_MAX_STORE_IDS=3\n'), cleanEnv({ GATEWAY_MAX_STORE_IDS: '4' }));
    expect(url, 'PORT=0 comes from the file').not.toContain(':4000/');
    expect((await post(url, storesQuery(4))).errors).toBeUndefined();
    expect((await post(url, storesQuery(5))).errors?.[0]?.message).toMatch(/at most 4 ids/);
  });

  it('a .env that cannot be parsed stops start-up with exit 2, naming the file and line, never the value', async () => {
    const secret = 'pasted-secret-Value-9f3c';
    const dir = workDir(`HOST=127.0.0.1\nPORT=0\n${secret}\n`);
    const started = await startServer(dir, cleanEnv());
    expect(started).not.toHaveProperty('url');
    const { code, output } = started as { code: number | null; output: string };
    expect(code).toBe(2);
    expect(output).toContain(join(dir, '.env'));
    expect(output).toContain('line 3');
    expect(output).not.toContain(secret);
  });
});
