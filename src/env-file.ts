/**
 * `.env` in the working directory, read at start-up when it exists (`.env.example` says "copy to .env").
 *
 * Node's own parser (`util.parseEnv`, Node ≥ 20.12) reads the file; the real environment wins over it. That
 * parser never fails: it silently drops or mangles what it does not understand (a line without `=` swallows the
 * next variable into a bogus name, `=value` loses the line after it, an unclosed quote becomes part of the value).
 * So every line is checked first, and a file Node would misread is refused with its path and line number.
 * Error messages never show a value, nor the text of a line that is not `NAME=value`: either may be a secret.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/** A `.env` that exists but cannot be used; the message names the file (and line), never a value. */
export class EnvFileError extends Error {
  override readonly name = 'EnvFileError';
  constructor(
    readonly code: 'ENV_FILE_UNREADABLE' | 'ENV_FILE_INVALID',
    message: string,
    /** Absolute path of the file. */
    readonly path: string,
    /** 1-based line of the problem, or null for the file as a whole. */
    readonly line: number | null = null,
  ) {
    super(message);
  }
}

/** `NAME=value`, optionally `export NAME=value`, as Node's parser accepts it; group 2 is the raw value. */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUOTES = new Set(['"', "'", '`']);

/**
 * Reads `path` (relative to the working directory) if it exists and sets each variable it defines that `env`
 * does not already have — a variable set in the real environment, even to an empty string, wins. A missing
 * file is not an error: `{ loaded: false }`.
 *
 * @param path @default '.env'
 * @param env the environment to fill in; @default process.env
 * @returns whether a file was read, and its absolute path.
 * @throws EnvFileError when the file exists but cannot be read, is not UTF-8, or has a line that is not
 *   `NAME=value`, a `#` comment or blank, or a quote that never closes.
 */
export function loadEnvFile(path = '.env', env: NodeJS.ProcessEnv = process.env): { loaded: boolean; path: string } {
  const absolute = resolve(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { loaded: false, path: absolute };
    throw new EnvFileError('ENV_FILE_UNREADABLE', `cannot read ${absolute}: ${code ?? (error as Error).message}`, absolute);
  }
  let text: string;
  try {
    // `fatal`: invalid UTF-8 is refused rather than turned into U+FFFD; a leading BOM is dropped.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EnvFileError('ENV_FILE_INVALID', `cannot parse ${absolute}: it is not UTF-8 text`, absolute);
  }
  checkLines(text, absolute);
  const parsed = parseEnv(text);
  for (const [name, value] of Object.entries(parsed)) {
    // checkLines should make this impossible; if Node's parser still finds an odd name, refuse without echoing it.
    if (!VARIABLE_NAME.test(name)) {
      throw new EnvFileError('ENV_FILE_INVALID', `cannot parse ${absolute}: an entry does not start with a valid variable name`, absolute);
    }
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
  return { loaded: true, path: absolute };
}

/** @throws EnvFileError at the first line Node's parser would drop or misread. */
function checkLines(text: string, path: string): void {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      // The line's text is not shown: a line without `NAME=` is often a pasted secret.
      throw new EnvFileError('ENV_FILE_INVALID', `cannot parse ${path}: line ${index + 1} is not NAME=value, a # comment or blank`, path, index + 1);
    }
    const value = match[2]!.trimStart();
    const quote = value[0];
    if (quote === undefined || !QUOTES.has(quote) || value.includes(quote, 1)) continue;
    // Node takes a quoted value up to the next same quote, lines later if need be: skip those lines.
    const closing = lines.findIndex((later, laterIndex) => laterIndex > index && later.includes(quote));
    if (closing === -1) {
      throw new EnvFileError('ENV_FILE_INVALID', `cannot parse ${path}: line ${index + 1} (${match[1]}) opens a ${quote} quote that never closes`, path, index + 1);
    }
    index = closing;
  }
}
