import { UpstreamBadResponseError } from './errors.js';
import { returnCodeByNumber } from './return-codes.js';

/** The `{ stat, data }` envelope every opretail answer comes in, validated. */
export interface Envelope {
  code: number;
  codename: string;
  cid: string | null;
  /** The platform's clock (epoch ms), when it sent one. */
  systime: number | null;
  data: unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates the `{ stat, result, data }` envelope. Errors describe the defect and never quote the body. */
export function parseEnvelope(bytes: Uint8Array, method: string): Envelope {
  if (bytes.length === 0) throw new UpstreamBadResponseError(method, 'empty body', 200);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new UpstreamBadResponseError(method, 'body is not UTF-8', 200);
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) throw new UpstreamBadResponseError(method, 'HTML instead of JSON', 200);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The SyntaxError quotes the body, so it is deliberately not attached as a cause.
    throw new UpstreamBadResponseError(method, 'body is not valid JSON (truncated or malformed)', 200);
  }
  if (!isRecord(json) || !isRecord(json.stat)) {
    throw new UpstreamBadResponseError(method, 'JSON without a "stat" object', 200);
  }
  const stat = json.stat;
  const code = toInteger(stat.code);
  if (code === null) throw new UpstreamBadResponseError(method, 'stat.code is not an integer', 200);
  const codename =
    typeof stat.codename === 'string' && stat.codename !== ''
      ? stat.codename
      : (returnCodeByNumber(code)?.codename ?? 'UNKNOWN');
  const cid = typeof stat.cid === 'string' || typeof stat.cid === 'number' ? String(stat.cid) : null;
  const systime = toInteger(stat.systime);
  return { code, codename, cid, systime, data: json.data ?? null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `stat.code` is documented as a String but arrives as a number: accept both. */
function toInteger(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}
