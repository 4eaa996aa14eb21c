import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvFileError, loadEnvFile } from '../../src/env-file.js';

const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A fresh file per test, so tests share nothing and pass in any order. */
function envFile(content: string | Buffer): string {
  const path = join(dir, `env-${++files}`);
  writeFileSync(path, content);
  return path;
}

function refusal(path: string, env: NodeJS.ProcessEnv = {}): EnvFileError {
  try {
    loadEnvFile(path, env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvFileError);
    return error as EnvFileError;
  }
  throw new Error('expected an EnvFileError');
}

describe('loadEnvFile', () => {
  it('sets the variables the file defines, as Node parses them', () => {
    const path = envFile(
      [
        '# a comment',
        '',
        'PORT=0',
        'GATEWAY_MAX_STORE_IDS=3',
        'export LOG_LEVEL=debug',
        '  OPRETAIL_AID = S999  ',
        'OPRETAIL_APP_SECRET="with spaces # and a hash"',
        "OPRETAIL_PASSWORD='single'",
        'MULTI="line one',
        'line two"',
        'AFTER_MULTI=still read',
        'EMPTY=',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(path, env)).toEqual({ loaded: true, path });
    expect(env).toEqual({
      PORT: '0',
      GATEWAY_MAX_STORE_IDS: '3',
      LOG_LEVEL: 'debug',
      OPRETAIL_AID: 'S999',
      OPRETAIL_APP_SECRET: 'with spaces # and a hash',
      OPRETAIL_PASSWORD: 'single',
      MULTI: 'line one\nline two',
      AFTER_MULTI: 'still read',
      EMPTY: '',
    });
  });

  it('reads CRLF line ends and drops a UTF-8 byte-order mark (files saved on Windows)', () => {
    const path = envFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('PORT=0\r\nHOST=127.0.0.1\r\n')]));
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(path, env);
    expect(env).toEqual({ PORT: '0', HOST: '127.0.0.1' });
  });

  it('the real environment wins, even a variable set to an empty string', () => {
    const path = envFile('PORT=0\nGATEWAY_MAX_STORE_IDS=3\nLOG_LEVEL=debug\n');
    const env: NodeJS.ProcessEnv = { PORT: '4001', LOG_LEVEL: '' };
    loadEnvFile(path, env);
    expect(env).toEqual({ PORT: '4001', LOG_LEVEL: '', GATEWAY_MAX_STORE_IDS: '3' });
  });

  it('a missing file is fine: nothing read, nothing set', () => {
    const env: NodeJS.ProcessEnv = { PORT: '1' };
    const path = join(dir, 'no-such-file');
    expect(loadEnvFile(path, env)).toEqual({ loaded: false, path });
    expect(env).toEqual({ PORT: '1' });
  });

  it('defaults to .env in the working directory, and reports the absolute path', () => {
    expect(loadEnvFile(undefined, {}).path).toBe(join(process.cwd(), '.env'));
    const relative = join('.', 'definitely-absent.env');
    expect(loadEnvFile(relative, {})).toEqual({ loaded: false, path: join(process.cwd(), 'definitely-absent.env') });
  });

  it('a file that cannot be read (a directory) → ENV_FILE_UNREADABLE naming the path', () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    const error = refusal(path);
    expect(error.code).toBe('ENV_FILE_UNREADABLE');
    expect(error.message).toContain(path);
  });

  // Each of these Node's parser would silently drop or mangle (checked on Node 20.20: a line without `=` becomes
  // part of the next variable's name, `=value` swallows the next line, an unclosed quote ends up in the value).
  const SECRET = 's3cr3t-Value-42';
  it.each([
    ['a line without =', `PORT=0\n${SECRET}\nGATEWAY_MAX_STORE_IDS=3\n`, 2],
    ['a line with no name', `PORT=0\n=${SECRET}\nGATEWAY_MAX_STORE_IDS=3\n`, 2],
    ['a name that is not a variable name', `PORT=0\nAPP SECRET=${SECRET}\n`, 2],
    ['a quote that never closes', `PORT=0\nOPRETAIL_APP_SECRET="${SECRET}\nGATEWAY_MAX_STORE_IDS=3\n`, 2],
    ['a pasted secret on the first line', `${SECRET}\r\n`, 1],
  ])('%s → ENV_FILE_INVALID naming the path and line, never the value, and nothing is set', (_case, content, line) => {
    const path = envFile(content);
    const env: NodeJS.ProcessEnv = {};
    const error = refusal(path, env);
    expect(error.code).toBe('ENV_FILE_INVALID');
    expect(error.line).toBe(line);
    expect(error.message).toContain(path);
    expect(error.message).toContain(`line ${line}`);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(env).toEqual({});
  });

  it('a file that is not UTF-8 → ENV_FILE_INVALID, without its bytes', () => {
    const path = envFile(Buffer.concat([Buffer.from(`OPRETAIL_APP_SECRET=${SECRET}`), Buffer.from([0xff, 0xfe, 0x0a])]));
    const env: NodeJS.ProcessEnv = {};
    const error = refusal(path, env);
    expect(error.code).toBe('ENV_FILE_INVALID');
    expect(error.message).toContain(path);
    expect(error.message).not.toContain(SECRET);
    expect(env).toEqual({});
  });
});
