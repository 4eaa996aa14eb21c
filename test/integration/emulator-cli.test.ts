import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CLI_OPTIONS } from '../../src/emulator/cli-args.js';
import { post, signedParams } from './emulator-requests.js';

const TSX = 'node_modules/.bin/tsx';
const CLI = 'src/emulator/cli.ts';
const children: ChildProcess[] = [];

/** Every `--flag` (and `-x` short flag) the CLI parses, from the very options object it hands to parseArgs. */
const PARSED_FLAGS = Object.keys(EMULATOR_CLI_OPTIONS).map((name) => `--${name}`);
const PARSED_SHORT_FLAGS = Object.values(EMULATOR_CLI_OPTIONS).flatMap((option) => ('short' in option ? [`-${option.short}`] : []));

/** The distinct `--flags` a text mentions (a bare `--`, as in `npm run emulator -- …`, is not one). */
function flagsIn(text: string): string[] {
  return [...new Set(text.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])].sort();
}

/** The README subsection on running the emulator alone: what a user copies flags from. */
function readmeEmulatorAlone(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Running the emulator alone');
  expect(start, 'README lacks "### Running the emulator alone"').toBeGreaterThan(-1);
  // Up to the next heading of level 2 or more (`# ` lines inside its shell examples are comments).
  const end = readme.slice(start + 1).search(/\n#{2,6} /);
  return readme.slice(start, end === -1 ? undefined : start + 1 + end);
}

afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(TSX, [CLI, ...args], { env: { ...process.env, EMULATOR_KEYS: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

/**
 * Resolves with stdout's first line as soon as it is complete, driven by the child's output events; rejects
 * if the process closes first. No polling and no timer: the test's timeout is the only deadline.
 */
function listeningLine(stdout: () => string, child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const firstLine = (): string | null => {
      const text = stdout();
      const end = text.indexOf('\n');
      return end === -1 ? null : text.slice(0, end);
    };
    // Added after run()'s own listener, so stdout() already holds each chunk when this one sees it.
    const onData = () => {
      const line = firstLine();
      if (line === null) return;
      stop();
      resolve(line);
    };
    // 'close', not 'exit': by then stdout is drained, so a line written just before exiting counts.
    const onClose = () => {
      stop();
      const line = firstLine();
      if (line === null) reject(new Error(`exited before a listening line: ${stdout()}`));
      else resolve(line);
    };
    const stop = () => {
      child.stdout?.off('data', onData);
      child.off('close', onClose);
    };
    child.stdout?.on('data', onData);
    child.once('close', onClose);
    onData();
  });
}

// Each case spawns a process (~0.5 s of tsx start-up): few cases here; flag parsing and EMULATOR_KEYS errors are unit-tested.
describe('emulator CLI', () => {
  it('prints one listening line with the URL and key names (never secrets), serves, and exits 0 on SIGTERM', async () => {
    const { child, stdout } = run(['--port', '0', '--host', '127.0.0.1', '--require-token'], { EMULATOR_KEYS: 'cli-key:cli-secret-value,other:x:y' });
    const line = await listeningLine(stdout, child);
    expect(line).toMatch(/^opretail emulator listening on http:\/\/127\.0\.0\.1:\d+\/cloud\.api \(keys: cli-key, other, token mode\)$/);
    expect(stdout()).not.toContain('cli-secret-value');
    const url = /(http:\/\/\S+)/.exec(line)?.[1] ?? '';
    // The key "other" has the secret "x:y" (split on the first ':'); --require-token → TOKEN_NOT_EXIST.
    expect((await post(url, signedParams({ key: 'other', secret: 'x:y' }))).json?.stat.code).toBe(9990001);
    expect((await post(url, signedParams({ key: 'cli-key', secret: 'x:y' }))).json?.stat.code).toBe(7);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout().trim().split('\n')).toHaveLength(1);
  }, 15_000);

  it('--help lists exactly the flags it parses, as users type the command, and exits 0 without listening', async () => {
    const { child, stdout } = run(['--help']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const help = stdout();
    expect(help).toMatch(/^usage: npm run emulator -- /);
    expect(help).not.toContain('tsx');
    expect(help).not.toContain('listening');
    expect(flagsIn(help)).toEqual([...PARSED_FLAGS].sort());
    for (const short of PARSED_SHORT_FLAGS) expect(help).toMatch(new RegExp(`(^|\\s)${short}[,\\s]`));
    expect(help).toContain('EMULATOR_KEYS');
  }, 15_000);

  // No process needed: the README must list exactly the flags the CLI parses, no fewer and none it would refuse.
  it('the README lists exactly the flags it parses', () => {
    const section = readmeEmulatorAlone();
    expect(section).toContain('npm run emulator -- ');
    expect(flagsIn(section)).toEqual([...PARSED_FLAGS].sort());
    for (const short of PARSED_SHORT_FLAGS) expect(section).toContain(`\`${short}\``);
  });

  it('a bad flag → message with usage, exit 2', async () => {
    const { child, stderr } = run(['--port', 'abc']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--port must be a whole number/);
    expect(stderr()).toContain('usage:');
  }, 15_000);
});
