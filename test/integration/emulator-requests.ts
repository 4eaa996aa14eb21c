import { signParams, type SignMethod } from '../../src/upstream/sign.js';

/**
 * Hand-built opretail requests for the emulator's tests: raw `fetch`, no client code, so the tests check
 * the emulator against the protocol rather than against the gateway's own client.
 */

export const GET_INDICATOR = 'open.shopweb.passengerFlow.getPassengerIndicatorData';
export { MOBILE_LOGIN_METHOD as MOBILE_LOGIN } from '../../src/emulator/index.js';

/** Beijing wall clock as `yyyyMMddHHmmss`, computed independently of the emulator's clock module. */
export function beijingTimestamp(epochMs: number = Date.now()): string {
  return new Date(epochMs + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}

export interface RequestSpec {
  key?: string;
  secret?: string;
  sm?: SignMethod;
  mt?: string;
  aid?: string;
  version?: string;
  /** Epoch ms the `_timestamp` is taken from. @default Date.now() */
  at?: number;
  /** Business (and extra public) parameters, signed. */
  business?: Record<string, string>;
  /** Applied before signing: `undefined` removes a parameter. */
  before?: Record<string, string | undefined>;
  /** Applied after signing (so the signature no longer covers it): `undefined` removes a parameter. */
  after?: Record<string, string | undefined>;
}

export const DEFAULT_BUSINESS = { depId: '174679', startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59', isOnBusinessTime: '0' };

let nonce = 0;

/** A complete, correctly signed parameter set (with a fresh `_nonce`), then the requested damage. */
export function signedParams(spec: RequestSpec = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    _aid: spec.aid ?? 'S107',
    _akey: spec.key ?? 'k1',
    _mt: spec.mt ?? GET_INDICATOR,
    _requestMode: 'post',
    _sm: spec.sm ?? 'md5',
    _timestamp: beijingTimestamp(spec.at),
    _version: spec.version ?? 'v1',
    _format: 'json',
    _nonce: `nonce-${process.pid}-${++nonce}-${Math.random()}`,
    ...(spec.business ?? DEFAULT_BUSINESS),
    ...spec.before,
  };
  const clean = definedOnly(params);
  const sm = (clean['_sm'] ?? 'md5').toLowerCase() === 'sha1' ? 'sha1' : 'md5';
  clean['_sig'] = signParams(clean, spec.secret ?? 'secret-1', sm);
  return definedOnly({ ...clean, ...spec.after });
}

/** `application/x-www-form-urlencoded` exactly as browsers encode it (space as `+`). */
export function formEncode(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export interface EmulatorAnswer {
  status: number;
  contentType: string | null;
  text: string;
  /** Parsed JSON body, when it is JSON. */
  json: { stat: { cid: string; code: number; codename: string; systime: number }; result: string; data: unknown } | undefined;
}

export async function postForm(url: string, body: string, headers: Record<string, string> = {}): Promise<EmulatorAnswer> {
  return answer(
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', ...headers }, body }),
  );
}

export async function post(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<EmulatorAnswer> {
  return postForm(url, formEncode(params), headers);
}

export async function get(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<EmulatorAnswer> {
  return answer(await fetch(`${url}?${formEncode(params)}`, { headers }));
}

async function answer(res: Response): Promise<EmulatorAnswer> {
  const text = await res.text();
  let json: EmulatorAnswer['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

function definedOnly(params: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) out[name] = value;
  return out;
}

/** `data` of a JSON answer as an object (fails the test when it is not one). */
export function dataOf(answer: EmulatorAnswer): Record<string, unknown> {
  const data = answer.json?.data;
  if (typeof data !== 'object' || data === null) throw new Error(`expected an object in data, got ${answer.text.slice(0, 200)}`);
  return data as Record<string, unknown>;
}
