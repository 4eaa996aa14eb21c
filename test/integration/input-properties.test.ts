import fc from 'fast-check';
import { getNamedType, GraphQLEnumType } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { schema } from '../../src/schema/index.js';
import { createOpretailClient, type OpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { testClientConfig } from '../fixtures/client-config.js';

/**
 * Property suite over hostile inputs — store ids, dates, aliases and variables — sent through `yoga.fetch` to a
 * gateway whose upstream is the strict emulator. For every request:
 * - the HTTP status is 200, 400, 413 or 415, never 5xx;
 * - every `errors[].extensions.code` is a value of the schema's `ErrorCode` enum, never INTERNAL_SERVER_ERROR,
 *   and `extensions.retryable` is a boolean;
 * - the upstream calls made are exactly the distinct (store, window) keys of the valid inputs, decided by an
 *   oracle in this file that shares no code with the gateway: nothing is called for invalid input, and every
 *   valid store/window is fetched exactly once.
 *
 * The oracle models what GraphQL itself decides (syntax, validation, variable coercion, the ID/Boolean/LocalDate
 * scalars) and the documented input rules: a store id matches /^[1-9]\d{0,10}$/; a date is a real
 * proleptic-Gregorian `yyyy-MM-dd` with year 0001–9999; a window has from ≤ to and spans at most 366 days
 * (passengerIndicator) or 93 days (dailyPassengerIndicators); a request whose estimated upstream calls
 * (stores × windows × days) exceed 2000 is refused whole, like one with more than 200 aliases.
 */

const SECRET = 'input-properties-secret';
const CONFIG = loadConfig({});
const ENUM = new Set((getNamedType(schema.getType('ErrorCode')) as GraphQLEnumType).getValues().map((v) => v.name));
const ALLOWED_STATUS = new Set([200, 400, 413, 415]);

/** The documented defaults the oracle encodes (README configuration table). */
const MAX_SPAN_DAYS = 366;
const MAX_DAILY_DAYS = 93;
const MAX_STORE_IDS = 500;
const MAX_UPSTREAM_CALLS = 2000;
const MAX_ALIASES = 200;

let emulator: Emulator;
let client: OpretailClient;
let yoga: ReturnType<typeof createGatewayYoga>;

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'gw', secret: SECRET }] });
});
afterAll(() => emulator.close());
// A fresh client per property: its circuit breaker and retry budget start closed and full whatever ran before.
beforeEach(() => {
  // The configured retry (OPRETAIL_RETRIES, default 1) stays on: in this one busy process a pooled keep-alive
  // connection is now and then reset just as a call is sent on it (ECONNRESET, never recorded by the emulator).
  // The retry absorbs that as in production; a retry after a call the emulator did record would show up in
  // the checks as a duplicate key.
  client = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET }));
  yoga = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config: CONFIG });
});
afterEach(() => client.close());

// ---------------------------------------------------------------------------------------------------------------
// The oracle's calendar: its own arithmetic (no Date, no code from src/).
// ---------------------------------------------------------------------------------------------------------------

interface CivilDate {
  y: number;
  m: number;
  d: number;
}

const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysInMonth = (y: number, m: number): number => (m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
const formatDate = ({ y, m, d }: CivilDate): string => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** A real proleptic-Gregorian date `yyyy-MM-dd` (ASCII digits) with year 0001–9999, or null. */
function parseDate(text: string): CivilDate | null {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

/** Days since 0001-01-01. */
function dayNumber({ y, m, d }: CivilDate): number {
  const before = y - 1;
  let n = 365 * before + Math.floor(before / 4) - Math.floor(before / 100) + Math.floor(before / 400);
  for (let month = 1; month < m; month++) n += daysInMonth(y, month);
  return n + d - 1;
}

/** Steps day by day (the year may leave 0001–9999: the result is then an invalid date, as it should be). */
function addDays(date: CivilDate, k: number): CivilDate {
  let { y, m, d } = date;
  for (let i = 0; i < k; i++) {
    if (d < daysInMonth(y, m)) d++;
    else if (m < 12) [m, d] = [m + 1, 1];
    else [y, m, d] = [y + 1, 1, 1];
  }
  for (let i = 0; i > k; i--) {
    if (d > 1) d--;
    else if (m > 1) [m, d] = [m - 1, daysInMonth(y, m - 1)];
    else [y, m, d] = [y - 1, 12, 31];
  }
  return { y, m, d };
}

const STORE_ID = /^[1-9][0-9]{0,10}$/;

// ---------------------------------------------------------------------------------------------------------------
// The request model: root fields with aliases, windows, and argument slots (a literal or a variable).
// ---------------------------------------------------------------------------------------------------------------

type TypeRef = { kind: 'named'; name: 'ID' | 'LocalDate' | 'Boolean' | 'String' | 'Int'; nonNull: boolean } | { kind: 'list'; of: TypeRef; nonNull: boolean };

type Lit =
  | { kind: 'string'; value: string; block?: boolean }
  | { kind: 'int'; text: string }
  | { kind: 'float'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'enum'; name: string }
  | { kind: 'list'; items: Slot[] }
  | { kind: 'object' };

interface VariableSlot {
  via: 'variable';
  /** Assigned when the request is assembled (names are unique per operation). */
  name: string;
  type: TypeRef;
  default?: Lit;
  /** JSON text of the value sent, or undefined: the key is absent from `variables`. */
  json?: string;
}

type Slot = { via: 'literal'; lit: Lit } | VariableSlot;

interface Window {
  alias: string;
  field: 'passengerIndicator' | 'dailyPassengerIndicators';
  from?: Slot;
  to?: Slot;
  businessHoursOnly?: Slot;
}

interface Root {
  alias: string;
  field: 'store' | 'stores';
  /** `id:` of store, `ids:` of stores. */
  arg: Slot;
  windows: Window[];
}

interface Request {
  roots: Root[];
  /** Extra `variables` entries `[key, JSON text]` (junk keys such as `__proto__`), written in this order after the slots' entries. */
  junk: [string, string][];
  /** How `variables` is written: an object (the slots' values and junk), or a given JSON text (null, an array…), or absent. */
  variablesShape: { kind: 'object' } | { kind: 'raw'; json: string } | { kind: 'absent' };
  /** Extra top-level body members, e.g. `"__proto__": {"variables": …}`, as raw JSON text. */
  topLevelJunk: string;
}

const ID_T: TypeRef = { kind: 'named', name: 'ID', nonNull: true };
const IDS_T: TypeRef = { kind: 'list', of: ID_T, nonNull: true };
const DATE_T: TypeRef = { kind: 'named', name: 'LocalDate', nonNull: true };
const BOOL_T: TypeRef = { kind: 'named', name: 'Boolean', nonNull: true };

function printType(t: TypeRef): string {
  const inner = t.kind === 'list' ? `[${printType(t.of)}]` : t.name;
  return t.nonNull ? `${inner}!` : inner;
}

/** A GraphQL string literal; lone surrogates stay raw (no GraphQL string can hold one: the lexer refuses it). */
function gqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function printLit(lit: Lit): string {
  switch (lit.kind) {
    case 'string':
      return lit.block ? `"""${lit.value}"""` : gqlString(lit.value);
    case 'int':
    case 'float':
      return lit.text;
    case 'bool':
      return String(lit.value);
    case 'null':
      return 'null';
    case 'enum':
      return lit.name;
    case 'list':
      return `[${lit.items.map(printSlot).join(', ')}]`;
    case 'object':
      return '{ a: 1 }';
  }
}

const printSlot = (slot: Slot): string => (slot.via === 'literal' ? printLit(slot.lit) : `$${slot.name}`);

function variableSlots(request: Request): VariableSlot[] {
  const slots: VariableSlot[] = [];
  const visit = (slot: Slot | undefined) => {
    if (slot === undefined) return;
    if (slot.via === 'variable') slots.push(slot);
    else if (slot.lit.kind === 'list') slot.lit.items.forEach(visit);
  };
  for (const root of request.roots) {
    visit(root.arg);
    for (const window of root.windows) [window.from, window.to, window.businessHoursOnly].forEach(visit);
  }
  return slots;
}

function renderDocument(request: Request): string {
  const definitions = variableSlots(request).map((v) => `$${v.name}: ${printType(v.type)}${v.default ? ` = ${printLit(v.default)}` : ''}`);
  const roots = request.roots.map((root) => {
    const windows = root.windows.map((w) => {
      const args = (
        [
          ['from', w.from],
          ['to', w.to],
          ['businessHoursOnly', w.businessHoursOnly],
        ] as const
      )
        .filter(([, slot]) => slot !== undefined)
        .map(([name, slot]) => `${name}: ${printSlot(slot!)}`);
      return `${w.alias}: ${w.field}(${args.join(', ')}) { inflow }`;
    });
    return `${root.alias}: ${root.field}(${root.field === 'store' ? 'id' : 'ids'}: ${printSlot(root.arg)}) { ${windows.length ? windows.join(' ') : '__typename'} }`;
  });
  return `query${definitions.length ? `(${definitions.join(', ')})` : ''} { ${roots.join(' ')} }`;
}

/** The variables object written by hand, so that `__proto__` is an own key and `-0`, `1e400` reach the server as typed. */
function renderVariables(request: Request): string | undefined {
  const shape = request.variablesShape;
  if (shape.kind === 'absent') return undefined;
  if (shape.kind === 'raw') return shape.json;
  const entries = variableSlots(request)
    .filter((v) => v.json !== undefined)
    .map((v): [string, string] => [v.name, v.json!]);
  return `{${[...entries, ...request.junk].map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(',')}}`;
}

function renderBody(request: Request): string {
  const variables = renderVariables(request);
  const members = [`"query":${JSON.stringify(renderDocument(request))}`];
  if (variables !== undefined) members.push(`"variables":${variables}`);
  if (request.topLevelJunk) members.push(request.topLevelJunk);
  return `{${members.join(',')}}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle: what GraphQL and the documented input rules decide, and which upstream calls follow.
// ---------------------------------------------------------------------------------------------------------------

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const hasLoneSurrogate = (text: string): boolean => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
const nullable = (t: TypeRef): TypeRef => ({ ...t, nonNull: false });

/** graphql-js `isTypeSubTypeOf` for the types used here. */
function isSubType(sub: TypeRef, sup: TypeRef): boolean {
  if (sup.nonNull) return sub.nonNull && isSubType(nullable(sub), nullable(sup));
  if (sub.nonNull) return isSubType(nullable(sub), sup);
  if (sup.kind === 'list') return sub.kind === 'list' && isSubType(sub.of, sup.of);
  return sub.kind === 'named' && sub.name === sup.name;
}

/** The rule VariablesInAllowedPositions. */
function allowedUsage(variable: VariableSlot, location: TypeRef, locationHasDefault: boolean): boolean {
  if (location.nonNull && !variable.type.nonNull) {
    const nonNullDefault = variable.default !== undefined && variable.default.kind !== 'null';
    if (!nonNullDefault && !locationHasDefault) return false;
    return isSubType(variable.type, nullable(location));
  }
  return isSubType(variable.type, location);
}

type Coerced = { ok: true; value: unknown } | { ok: false };
const FAIL: Coerced = { ok: false };
const ok = (value: unknown): Coerced => ({ ok: true, value });

/** A literal (without variables) coerced to a type, as validation (ValuesOfCorrectType) and execution do. */
function coerceLiteral(lit: Lit, type: TypeRef): Coerced {
  if (lit.kind === 'null') return type.nonNull ? FAIL : ok(null);
  if (type.kind === 'list') {
    if (lit.kind !== 'list') {
      const item = coerceLiteral(lit, type.of);
      return item.ok ? ok([item.value]) : FAIL;
    }
    const values: unknown[] = [];
    for (const item of lit.items) {
      if (item.via !== 'literal') return FAIL; // defaults hold no variables; list items with variables are handled by the caller
      const coerced = coerceLiteral(item.lit, type.of);
      if (!coerced.ok) return FAIL;
      values.push(coerced.value);
    }
    return ok(values);
  }
  switch (type.name) {
    case 'ID':
      return lit.kind === 'string' ? ok(lit.value) : lit.kind === 'int' ? ok(lit.text) : FAIL;
    case 'LocalDate':
      return lit.kind === 'string' && parseDate(lit.value) ? ok(lit.value) : FAIL;
    case 'Boolean':
      return lit.kind === 'bool' ? ok(lit.value) : FAIL;
    case 'String':
      return lit.kind === 'string' ? ok(lit.value) : FAIL;
    case 'Int':
      return lit.kind === 'int' && Math.abs(Number(lit.text)) <= 2 ** 31 - 1 ? ok(Number(lit.text)) : FAIL;
  }
}

/** A JSON variable value coerced to its declared type (graphql-js `coerceInputValue` with the scalars' `parseValue`). */
function coerceJson(value: unknown, type: TypeRef): Coerced {
  if (value === null) return type.nonNull ? FAIL : ok(null);
  if (type.kind === 'list') {
    if (!Array.isArray(value)) {
      const item = coerceJson(value, type.of);
      return item.ok ? ok([item.value]) : FAIL;
    }
    const values: unknown[] = [];
    for (const item of value) {
      const coerced = coerceJson(item, type.of);
      if (!coerced.ok) return FAIL;
      values.push(coerced.value);
    }
    return ok(values);
  }
  switch (type.name) {
    case 'ID':
      return typeof value === 'string' ? ok(value) : typeof value === 'number' && Number.isInteger(value) ? ok(String(value)) : FAIL;
    case 'LocalDate':
      return typeof value === 'string' && parseDate(value) ? ok(value) : FAIL;
    case 'Boolean':
      return typeof value === 'boolean' ? ok(value) : FAIL;
    case 'String':
      return typeof value === 'string' ? ok(value) : FAIL;
    case 'Int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1 ? ok(value) : FAIL;
  }
}

/** The untyped value of a literal, as the cost estimate reads a default (strings, booleans, null, lists). */
function untyped(lit: Lit): unknown {
  switch (lit.kind) {
    case 'string':
    case 'bool':
      return lit.value;
    case 'null':
      return null;
    case 'list':
      return lit.items.map((item) => (item.via === 'literal' ? untyped(item.lit) : undefined));
    case 'int':
    case 'float':
      return Number(lit.text);
    default:
      return undefined;
  }
}

interface Expectation {
  /** Refused before execution (syntax, validation, variables, aliases, cost): no data, errors only. */
  refused: boolean;
  /** Some field fails with an error (or the request is refused). */
  errors: boolean;
  /** The distinct upstream keys `depId|startTime|endTime|isOnBusinessTime`. */
  keys: Set<string>;
  /** The estimate of upstream calls (stores × windows × days), when the request got as far as estimating. */
  estimate: number;
}

const REFUSED = (estimate = 0): Expectation => ({ refused: true, errors: true, keys: new Set(), estimate });

function expectation(request: Request): Expectation {
  const slots = variableSlots(request);
  const document = renderDocument(request);

  // 1. Syntax: names, and strings (a lone surrogate is not a source character).
  const names = [...request.roots.flatMap((r) => [r.alias, ...r.windows.map((w) => w.alias)]), ...slots.map((v) => v.name)];
  if (!names.every((name) => NAME.test(name)) || hasLoneSurrogate(document)) return REFUSED();

  // 2. Validation: required arguments, literal types, variable usage and defaults, unique names, aliases.
  if (new Set(slots.map((v) => v.name)).size !== slots.length) return REFUSED();
  // The gateway refuses the variable name `$__proto__` (the executor would silently drop its value).
  if (slots.some((v) => v.name === '__proto__')) return REFUSED();
  const literalValid = (slot: Slot | undefined, type: TypeRef, locationHasDefault: boolean): boolean => {
    if (slot === undefined) return locationHasDefault || !type.nonNull;
    if (slot.via === 'variable') {
      if (slot.default !== undefined && !coerceLiteral(slot.default, slot.type).ok) return false;
      return allowedUsage(slot, type, locationHasDefault);
    }
    if (type.kind === 'list' && slot.lit.kind === 'list') return slot.lit.items.every((item) => literalValid(item, type.of, false));
    if (type.kind === 'list' && slot.lit.kind !== 'null') return literalValid(slot, type.of, false);
    return coerceLiteral(slot.lit, type).ok;
  };
  for (const root of request.roots) {
    if (!literalValid(root.arg, root.field === 'store' ? ID_T : IDS_T, false)) return REFUSED();
    for (const w of root.windows) {
      if (!literalValid(w.from, DATE_T, false) || !literalValid(w.to, DATE_T, false) || !literalValid(w.businessHoursOnly, BOOL_T, true)) return REFUSED();
    }
  }
  const responseNames = (list: string[]) => new Set(list).size === list.length;
  if (!responseNames(request.roots.map((r) => r.alias)) || !request.roots.every((r) => responseNames(r.windows.map((w) => w.alias)))) return REFUSED();
  const aliases = request.roots.reduce((n, r) => n + 1 + r.windows.length, 0);
  if (aliases > MAX_ALIASES) return REFUSED();

  // 3. The HTTP request: `variables` must be an object or null; no body member other than yoga's (null ones are ignored).
  const members = JSON.parse(`{${request.topLevelJunk}}`) as Record<string, unknown>;
  if (Object.entries(members).some(([key, value]) => value !== null && !['operationName', 'extensions'].includes(key))) return REFUSED();
  const variablesText = renderVariables(request);
  const rawVariables: unknown = variablesText === undefined ? null : JSON.parse(variablesText);
  if (rawVariables !== null && (typeof rawVariables !== 'object' || Array.isArray(rawVariables))) return REFUSED();
  const raw = (rawVariables ?? {}) as Record<string, unknown>;

  // 4. The cost estimate from the raw variables (own properties only), refused whole above the limit.
  const rawValue = (slot: Slot | undefined): unknown => {
    if (slot === undefined) return undefined;
    if (slot.via === 'literal') return slot.lit.kind === 'int' || slot.lit.kind === 'float' ? undefined : untyped(slot.lit);
    if (Object.hasOwn(raw, slot.name)) return raw[slot.name];
    return slot.default === undefined ? undefined : untyped(slot.default);
  };
  let estimate = 0;
  for (const root of request.roots) {
    let stores = 1;
    if (root.field === 'stores') {
      if (root.arg.via === 'literal') stores = root.arg.lit.kind === 'list' ? root.arg.lit.items.length : root.arg.lit.kind === 'null' ? 0 : 1;
      else {
        const value = rawValue(root.arg);
        stores = value === undefined || value === null ? 0 : Array.isArray(value) ? value.length : 1;
      }
    }
    let perStore = 0;
    for (const w of root.windows) {
      if (w.field === 'passengerIndicator') perStore += 1;
      else {
        const [from, to] = [rawValue(w.from), rawValue(w.to)].map((v) => (typeof v === 'string' ? parseDate(v) : null));
        if (from && to && dayNumber(from) <= dayNumber(to)) perStore += Math.min(dayNumber(to) - dayNumber(from) + 1, MAX_DAILY_DAYS);
      }
    }
    estimate += stores * perStore;
  }
  if (estimate > MAX_UPSTREAM_CALLS) return REFUSED(estimate);

  // 5. Variable coercion: one bad variable refuses the whole request.
  const coerced = new Map<string, unknown>();
  for (const v of slots) {
    if (!Object.hasOwn(raw, v.name)) {
      if (v.default !== undefined) coerced.set(v.name, (coerceLiteral(v.default, v.type) as { value: unknown }).value);
      else if (v.type.nonNull) return REFUSED(estimate);
      continue;
    }
    const value = coerceJson(raw[v.name], v.type);
    if (!value.ok) return REFUSED(estimate);
    coerced.set(v.name, value.value);
  }

  // 6. Execution: arguments (a null or missing value in a non-null position fails the field), input rules, keys.
  const NO_VALUE = Symbol('field error');
  const argument = (slot: Slot | undefined, type: TypeRef, locationDefault: unknown): unknown => {
    if (slot === undefined) return locationDefault;
    if (slot.via === 'variable') {
      if (!coerced.has(slot.name)) return locationDefault === undefined ? NO_VALUE : locationDefault;
      const value = coerced.get(slot.name);
      return value === null && type.nonNull ? NO_VALUE : value;
    }
    if (type.kind === 'list' && slot.lit.kind === 'list') {
      const items = slot.lit.items.map((item) => argument(item, type.of, undefined));
      return items.includes(NO_VALUE) ? NO_VALUE : items;
    }
    const value = (coerceLiteral(slot.lit, type) as { value: unknown }).value;
    return value;
  };
  let errors = false;
  const keys = new Set<string>();
  for (const root of request.roots) {
    const arg = argument(root.arg, root.field === 'store' ? ID_T : IDS_T, undefined);
    const ids = arg === NO_VALUE ? null : root.field === 'store' ? [arg as string] : (arg as string[]);
    if (ids === null || ids.length > MAX_STORE_IDS || !ids.every((id) => STORE_ID.test(id))) {
      errors = true;
      continue;
    }
    // No store objects (an empty list): their window fields never resolve, so they cannot fail either.
    for (const w of ids.length > 0 ? root.windows : []) {
      const [fromText, toText, business] = [argument(w.from, DATE_T, undefined), argument(w.to, DATE_T, undefined), argument(w.businessHoursOnly, BOOL_T, false)];
      if (fromText === NO_VALUE || toText === NO_VALUE || business === NO_VALUE) {
        errors = true;
        continue;
      }
      const [from, to] = [parseDate(fromText as string)!, parseDate(toText as string)!];
      const span = dayNumber(to) - dayNumber(from) + 1;
      const daily = w.field === 'dailyPassengerIndicators';
      if (span < 1 || span > (daily ? MAX_DAILY_DAYS : MAX_SPAN_DAYS)) {
        errors = true;
        continue;
      }
      const windows = daily ? Array.from({ length: span }, (_, i) => [addDays(from, i), addDays(from, i)]) : [[from, to]];
      for (const id of ids) {
        for (const [start, end] of windows) keys.add(`${id}|${formatDate(start!)} 00:00:00|${formatDate(end!)} 23:59:59|${business ? 1 : 0}`);
      }
    }
  }
  return { refused: false, errors, keys, estimate };
}

// ---------------------------------------------------------------------------------------------------------------
// Sending a request and checking the answer against the oracle.
// ---------------------------------------------------------------------------------------------------------------

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: { cost?: { estimated: number; limit: number } };
}

const callKey = (call: Emulator['calls'][number]): string => `${call.depId}|${call.startTime}|${call.endTime}|${call.isOnBusinessTime}`;

async function check(request: Request): Promise<void> {
  const expected = expectation(request);
  const body = renderBody(request);
  emulator.resetCalls();
  const response = await yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await response.text();
  const context = () => `request ${body.slice(0, 500)} → HTTP ${response.status} ${text.slice(0, 500)}`;
  expect(ALLOWED_STATUS.has(response.status), `HTTP status: ${context()}`).toBe(true);
  const answer = JSON.parse(text) as Answer;
  for (const error of answer.errors ?? []) {
    const code = error.extensions?.code;
    expect(code, `an untyped or masked error: ${context()}`).not.toBe('INTERNAL_SERVER_ERROR');
    expect(typeof code === 'string' && ENUM.has(code), `extensions.code ${String(code)} is not an ErrorCode: ${context()}`).toBe(true);
    expect(typeof error.extensions?.retryable, `extensions.retryable: ${context()}`).toBe('boolean');
  }
  expect(text).not.toMatch(/"originalError"|"stack"/);
  expect(text).not.toContain(SECRET);

  // The upstream calls: exactly the distinct keys of the valid inputs, each once.
  const calls = emulator.calls.map(callKey).sort();
  expect(calls, `upstream calls: ${context()}`).toEqual([...expected.keys].sort());
  expect(emulator.calls.every((call) => call.code === 0), `a call the emulator refused: ${context()}`).toBe(true);

  if (expected.refused) {
    expect(answer.errors?.length ?? 0, `errors expected: ${context()}`).toBeGreaterThan(0);
    expect(answer.data ?? null, `no data for a refused request: ${context()}`).toBeNull();
  } else {
    expect(answer.errors !== undefined, `errors ${expected.errors ? 'expected' : 'unexpected'}: ${context()}`).toBe(expected.errors);
    expect(Object.keys(answer.data ?? {}).sort(), `root fields: ${context()}`).toEqual(request.roots.map((r) => r.alias).sort());
    expect(answer.extensions?.cost, `extensions.cost: ${context()}`).toEqual({ estimated: expected.estimate, limit: MAX_UPSTREAM_CALLS });
  }
  if (expected.estimate > MAX_UPSTREAM_CALLS) expect(answer.errors?.map((e) => e.extensions?.code), context()).toEqual(['QUERY_TOO_COMPLEX']);
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries.
// ---------------------------------------------------------------------------------------------------------------

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const validId = fc.oneof(
  fc.integer({ min: 1, max: 999 }).map(String),
  fc.tuple(fc.constantFrom(...'123456789'), digits(0, 10)).map(([first, rest]) => first + rest),
  fc.constantFrom('1', '9', '174679', '99999999999', '10000000000'),
);
const invalidId = fc.oneof(
  fc.constantFrom('', '0', '00', '01', '0123', '000000000001', '100000000000', '999999999999', '-0', '+0'),
  validId.chain((id) =>
    fc.constantFrom(`+${id}`, `-${id}`, ` ${id}`, `${id} `, `\t${id}`, `${id}\n`, `\u00a0${id}`, `0${id}`, `${id}.0`, `${id}e0`, `${id}\u0000`, `\u0000${id}`, `${id}\uD800`, `${id}\u0301`, `${id}x`),
  ),
  fc.constantFrom('١٢٣', '１２３', '१२३', '𝟏𝟐𝟑', '߁', '٠'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'null', 'undefined', 'NaN', 'Infinity', '-Infinity', 'true', '[]', '{}'),
  fc.constantFrom('\u0000', '\uD800', '\uDC00', '\uDBFF\uDFFF', '\uFEFF1', '1e5', '1E5', '0x1F', '0b1', '1_000', '1,000'),
  digits(12, 400).map((d) => `1${d}`),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const anyId = fc.oneof({ weight: 2, arbitrary: validId }, { weight: 3, arbitrary: invalidId });

const pad4 = (n: number) => String(n).padStart(4, '0');
const dateOf = (year: fc.Arbitrary<number>): fc.Arbitrary<CivilDate> =>
  fc.tuple(year, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 })).map(([y, m, d]) => ({ y, m, d: Math.min(d, daysInMonth(y, m)) }));
/** Mostly recent past (the emulator answers any date; the vendor's data is in the past), some anywhere in 0001–9999. */
const validCivil = fc.oneof(
  { weight: 6, arbitrary: dateOf(fc.integer({ min: 2015, max: 2025 })) },
  { weight: 1, arbitrary: dateOf(fc.integer({ min: 2026, max: 9999 })) },
  { weight: 2, arbitrary: dateOf(fc.integer({ min: 1, max: 9999 })) },
  { weight: 1, arbitrary: dateOf(fc.constantFrom(1, 4, 99, 100, 400, 1900, 2000, 9999)) },
);
const validDate = validCivil.map(formatDate);
const invalidDate = fc.oneof(
  fc.constantFrom(0, 1, 4, 100, 200, 300, 400, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 9996, 9999).chain((y) => fc.constantFrom(`${pad4(y)}-02-29`, `${pad4(y)}-02-30`, `${pad4(y)}-02-31`)),
  fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.constantFrom('00', '13', '99'), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => `${pad4(y)}-${m}-${String(d).padStart(2, '0')}`),
  fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('00', '32', '99', '31')).map(([y, m, d]) => `${pad4(y)}-${String(m).padStart(2, '0')}-${d}`),
  dateOf(fc.constant(0)).map((d) => `0000-${formatDate(d).slice(5)}`),
  dateOf(fc.constantFrom(10000, 99999)).map(formatDate),
  validDate.chain((d) =>
    fc.constantFrom(`+0${d}`, `-${d}`, ` ${d}`, `${d} `, `${d}T00:00:00`, `${d}Z`, d.replaceAll('-', '/'), d.replaceAll('-', ''), `${d}\u0000`, `${d}\uD800`, d.replace(/-0/g, '-'), d.replace(/[0-9]$/, '０')),
  ),
  fc.constantFrom('', '\u0000', '\uD800', '٢٠٢٥-٠٥-١٠', 'today', 'null', '__proto__', '2025-5-10', '25-05-10', '2025-05', '2025-W19-6', '2025-130'),
  fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

const interestingNames = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '__typename', 'then', 'length', 'data', 'errors', 'Object'];
const gqlName = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...interestingNames) },
  { weight: 3, arbitrary: fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,11}$/) },
);

/** A string literal, as a plain or (when it means the same) block string. */
const stringLit = (value: fc.Arbitrary<string>): fc.Arbitrary<Lit> =>
  fc.tuple(value, fc.boolean()).map(([v, block]): Lit => ({ kind: 'string', value: v, block: block && blockSafe(v) }));
/**
 * A block string means its text unchanged when it is one line (no control characters), has no `"` (which
 * could close it early) and is not blank (a blank block string is ""); `\` is not an escape in a block string.
 */
const blockSafe = (v: string): boolean =>
  ![...v].some((ch) => ch === '"' || ch.charCodeAt(0) < 0x20 || ch === '\u007f') && /[^ \t]/.test(v) && !hasLoneSurrogate(v);
const intLitOf = (id: string): Lit | null => (/^-?(0|[1-9][0-9]*)$/.test(id) ? { kind: 'int', text: id } : null);

/** An id as a literal: a string, or an int literal when the id is one. */
const idLiteral: fc.Arbitrary<Slot> = fc
  .tuple(stringLit(anyId), fc.integer({ min: 0, max: 4 }))
  .map(([lit, pick]): Slot => ({ via: 'literal', lit: (pick === 0 && lit.kind === 'string' && intLitOf(lit.value)) || lit }));

/** JSON texts for variable values: the honest encodings and the hostile ones. */
const hostileJson = fc.constantFrom(
  'null', 'true', 'false', '0', '-0', '1.5', '1e308', '-1e308', '1e400', '-1e400', '5e-324', '"NaN"', '"Infinity"', '"-Infinity"',
  '[]', '{}', '[null]', '[[["1"]]]', '{"__proto__":"1"}', '{"toString":"1"}', '""', '"\\u0000"', '"\\ud800"', '"\\udc00x"',
  `${'9'.repeat(400)}`, '123456789012345678901234567890',
);
const idJson = fc.oneof(
  { weight: 4, arbitrary: anyId.map((id) => JSON.stringify(id)) },
  { weight: 2, arbitrary: fc.constantFrom('1', '12345', '174679', '99999999999', '100000000000', '1e3', '5.0', '1.0e1', '0.1e2', '9007199254740993', '-5', '0', '-0', '1.5', '1e21') },
  { weight: 1, arbitrary: hostileJson },
);
const dateJson = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(validDate, invalidDate).map((d) => JSON.stringify(d)) },
  { weight: 1, arbitrary: fc.constantFrom('20250510', '2025', '["2025-05-10"]', '{"date":"2025-05-10"}', '1746835200000') },
  { weight: 1, arbitrary: hostileJson },
);
const boolJson = fc.oneof(fc.constantFrom('true', 'false'), fc.constantFrom('0', '1', '"true"', '"false"', '[true]', 'null'), hostileJson);
const idsJson = fc.oneof(
  { weight: 3, arbitrary: fc.array(idJson, { maxLength: 4 }).map((items) => `[${items.join(',')}]`) },
  { weight: 1, arbitrary: idJson },
);

/** How often (out of 20) a variable slot is declared with a wrong or a nullable type, has a default, or is not sent. */
interface VariableOdds {
  wrongType: number;
  nullableType: number;
  withDefault: number;
  absent: number;
}
const HOSTILE: VariableOdds = { wrongType: 2, nullableType: 4, withDefault: 5, absent: 2 };
const MILD: VariableOdds = { wrongType: 1, nullableType: 2, withDefault: 3, absent: 1 };
const HONEST: VariableOdds = { wrongType: 0, nullableType: 0, withDefault: 0, absent: 0 };

const validIdJson = fc.oneof({ weight: 3, arbitrary: validId.map((id) => JSON.stringify(id)) }, { weight: 1, arbitrary: fc.constantFrom('12345', '1e3', '5.0', '174679', '99999999999') });
const validIdsJson = fc.array(validIdJson, { maxLength: 3 }).map((items) => `[${items.join(',')}]`);
const mostlyValid = (valid: fc.Arbitrary<string>, any: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: any });

/** A variable slot for a position: its declared type (often right, sometimes not), a default, the value sent. */
function variableFor(position: 'id' | 'ids' | 'date' | 'bool', value: fc.Arbitrary<string>, odds: VariableOdds = HOSTILE): fc.Arbitrary<Slot> {
  const named = (name: 'ID' | 'LocalDate' | 'Boolean' | 'String' | 'Int', nonNull: boolean): TypeRef => ({ kind: 'named', name, nonNull });
  const list = (of: TypeRef, nonNull: boolean): TypeRef => ({ kind: 'list', of, nonNull });
  const base: Record<typeof position, TypeRef> = { id: ID_T, ids: IDS_T, date: DATE_T, bool: BOOL_T };
  const wrong: Record<typeof position, TypeRef[]> = {
    id: [named('String', true), named('Int', true), IDS_T, named('LocalDate', true)],
    ids: [list(named('ID', false), true), ID_T, list(named('String', true), true)],
    date: [named('String', true), named('ID', true), list(DATE_T, true)],
    bool: [named('Int', false), named('String', true)],
  };
  const defaults: Record<typeof position, fc.Arbitrary<Lit>> = {
    id: fc.oneof(stringLit(anyId), fc.constant<Lit>({ kind: 'int', text: '7' }), fc.constant<Lit>({ kind: 'null' })),
    ids: fc.oneof(
      fc.array(stringLit(anyId), { maxLength: 3 }).map((items): Lit => ({ kind: 'list', items: items.map((lit) => ({ via: 'literal', lit })) })),
      stringLit(validId),
      fc.constant<Lit>({ kind: 'null' }),
    ),
    date: fc.oneof(stringLit(validDate), stringLit(invalidDate), fc.constant<Lit>({ kind: 'null' })),
    bool: fc.oneof(fc.boolean().map((b): Lit => ({ kind: 'bool', value: b })), fc.constant<Lit>({ kind: 'null' }), fc.constant<Lit>({ kind: 'string', value: 'true' })),
  };
  const type = fc.oneof(
    { weight: 20 - odds.wrongType - odds.nullableType, arbitrary: fc.constant(base[position]) },
    { weight: odds.nullableType, arbitrary: fc.constant(nullable(base[position])) },
    { weight: odds.wrongType, arbitrary: fc.constantFrom(...wrong[position]) },
  );
  return fc
    .record({
      type,
      default: fc.oneof({ weight: 20 - odds.withDefault, arbitrary: fc.constant(undefined) }, { weight: odds.withDefault, arbitrary: defaults[position] }),
      json: fc.oneof({ weight: 20 - odds.absent, arbitrary: value }, { weight: odds.absent, arbitrary: fc.constant(undefined) }),
    })
    .map(({ type: t, default: d, json }): Slot => ({ via: 'variable', name: '', type: t, ...(d ? { default: d } : {}), ...(json !== undefined ? { json } : {}) }));
}

/** Gives the variable slots unique names: the generated ones first, then names no generator makes. */
function withVariableNames(request: Omit<Request, 'junk' | 'variablesShape' | 'topLevelJunk'>, names: string[]): Request {
  const complete: Request = { ...request, junk: [], variablesShape: { kind: 'object' }, topLevelJunk: '' };
  variableSlots(complete).forEach((slot, i) => {
    slot.name = names[i] ?? `fallbackVariable${i}`;
  });
  return complete;
}

/** Distinct names for n slots: mostly plain, some of the interesting ones. */
const variableNames = fc.uniqueArray(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...interestingNames.filter((n) => n !== '__typename')) }, { weight: 2, arbitrary: fc.stringMatching(/^[_a-z][_0-9a-zA-Z]{0,7}$/) }), { maxLength: 12 });

const junkEntries = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'd', 'id', 'ids'), fc.string({ maxLength: 6 })), fc.oneof(hostileJson, idJson, fc.constantFrom('{"id":"5","d":"2025-05-10","ids":["1"]}', '{"__proto__":{"id":"6"}}'))),
  { maxLength: 3 },
);

const slotOf = (literal: fc.Arbitrary<Slot>, variable: fc.Arbitrary<Slot>, literalWeight = 3): fc.Arbitrary<Slot> =>
  fc.oneof({ weight: literalWeight, arbitrary: literal }, { weight: 1, arbitrary: variable });

const dateLiteral = (date: fc.Arbitrary<string>): fc.Arbitrary<Slot> => stringLit(date).map((lit): Slot => ({ via: 'literal', lit }));
const boolSlot: fc.Arbitrary<Slot | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.boolean().map((b): Slot => ({ via: 'literal', lit: { kind: 'bool', value: b } })) },
  { weight: 1, arbitrary: fc.constantFrom<Lit>({ kind: 'null' }, { kind: 'string', value: 'true' }, { kind: 'int', text: '1' }, { kind: 'enum', name: 'TRUE' }).map((lit): Slot => ({ via: 'literal', lit })) },
  { weight: 1, arbitrary: variableFor('bool', boolJson) },
);
const honestBoolSlot: fc.Arbitrary<Slot | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.boolean().map((b): Slot => ({ via: 'literal', lit: { kind: 'bool', value: b } })) },
  { weight: 1, arbitrary: variableFor('bool', fc.constantFrom('true', 'false'), HONEST) },
);

/**
 * A window `[from, to]`: both dates independent (mostly invalid or reversed), or `to = from + k` with k around 0
 * (a few days), around the limits (92–94, 365–367) or negative.
 */
const windowDates = (daily: boolean): fc.Arbitrary<[string, string]> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.tuple(fc.oneof(validDate, invalidDate), fc.oneof(validDate, invalidDate)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(validCivil, fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) }, { weight: 1, arbitrary: daily ? fc.constantFrom(91, 92, 93, 94) : fc.constantFrom(200, 364, 365, 366, 367, 400) }))
        .map(([from, k]): [string, string] => [formatDate(from), formatDate(addDays(from, k))]),
    },
  );

const windowOf = (field: Window['field'], alias: string, dates: fc.Arbitrary<[string, string]>, variableWeight = 1, odds: VariableOdds = HOSTILE): fc.Arbitrary<Window> =>
  fc
    .tuple(dates, fc.integer({ min: 0, max: 9 }), odds === HONEST ? honestBoolSlot : boolSlot, fc.integer({ min: 0, max: 30 }))
    .chain(([[from, to], mode, businessHoursOnly, omit]) => {
      const sent = (date: string) => (odds !== HONEST ? fc.oneof({ weight: 6, arbitrary: fc.constant(JSON.stringify(date)) }, { weight: 1, arbitrary: dateJson }) : fc.constant(JSON.stringify(date)));
      const asSlot = (date: string, n: number) => (n < 10 - variableWeight * 2 ? dateLiteral(fc.constant(date)) : variableFor('date', sent(date), odds));
      return fc.tuple(asSlot(from, mode), asSlot(to, (mode * 7) % 10)).map(([f, t]): Window => ({
        alias,
        field,
        // Hostile windows sometimes lack a required argument (a validation error).
        ...(omit === 0 && odds === HOSTILE ? {} : { from: f }),
        ...(omit === 1 && odds === HOSTILE ? {} : { to: t }),
        ...(businessHoursOnly ? { businessHoursOnly } : {}),
      }));
    });

const FIXED_WINDOW: Window = {
  alias: 'w',
  field: 'passengerIndicator',
  from: { via: 'literal', lit: { kind: 'string', value: '2025-05-10' } },
  to: { via: 'literal', lit: { kind: 'string', value: '2025-05-10' } },
};

// Builders for the hand-written examples each property checks before its random runs.
const str = (value: string): Slot => ({ via: 'literal', lit: { kind: 'string', value } });
const vari = (name: string, type: TypeRef, json?: string, defaultValue?: Lit): Slot => ({
  via: 'variable',
  name,
  type,
  ...(json === undefined ? {} : { json }),
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});
const win = (from: Slot, to: Slot, businessHoursOnly?: Slot, field: Window['field'] = 'passengerIndicator', alias = 'w'): Window => ({
  alias,
  field,
  from,
  to,
  ...(businessHoursOnly ? { businessHoursOnly } : {}),
});
const storeRoot = (arg: Slot, windows: Window[] = [FIXED_WINDOW], alias = 'r'): Root => ({ alias, field: 'store', arg, windows });
const req = (roots: Root[], more: Partial<Request> = {}): Request => ({ roots, junk: [], variablesShape: { kind: 'object' }, topLevelJunk: '', ...more });

/** Random runs per main property (the hand-written examples come on top). */
const RUNS = 1000;
/**
 * The alias property is the most expensive (documents of up to 50 root fields, ~3–4 upstream calls a run, about
 * half the file's time); lower this first if the file must run faster.
 */
const ALIAS_RUNS = 1000;

/**
 * Runs a property: the check throws on the first difference, and fast-check shrinks it to a minimal request.
 * The examples run first, every time, whatever the seed.
 */
async function assertProperty(arbitrary: fc.Arbitrary<Request>, numRuns: number, examples: Request[] = []): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, (request) => check(request)),
    { numRuns: numRuns + examples.length, examples: examples.map((example): [Request] => [example]) },
  );
}

describe('hostile inputs: typed errors only, and upstream calls for exactly the valid inputs', () => {
  it('the oracle and the gateway agree on the documented limits', () => {
    expect([CONFIG.maxSpanDays, CONFIG.maxDailyDays, CONFIG.maxStoreIds, CONFIG.maxUpstreamCalls, CONFIG.maxAliases]).toEqual([
      MAX_SPAN_DAYS, MAX_DAILY_DAYS, MAX_STORE_IDS, MAX_UPSTREAM_CALLS, MAX_ALIASES,
    ]);
    // The oracle's calendar: leap years and day numbers (0001-01-01 is day 0; 400 years are 146097 days).
    expect([1900, 2000, 400, 100, 4, 1, 2024].map(isLeapYear)).toEqual([false, true, true, false, true, false, true]);
    expect(dayNumber({ y: 401, m: 1, d: 1 })).toBe(146_097);
    expect(formatDate(addDays({ y: 2000, m: 2, d: 28 }, 1))).toBe('2000-02-29');
    expect(formatDate(addDays({ y: 1900, m: 2, d: 28 }, 1))).toBe('1900-03-01');
    expect(formatDate(addDays({ y: 1, m: 1, d: 1 }, -1))).toBe('0000-12-31');
    expect(['0000-01-01', '0001-01-01', '0400-02-29', '0100-02-29', '9999-12-31', '10000-01-01'].map((d) => parseDate(d) !== null)).toEqual([false, true, true, false, true, false]);
  });

  it('store ids (literals, int literals, block strings, variables; store and stores)', { timeout: 120_000 }, async () => {
    const idVariable = variableFor('id', idJson);
    const root = (alias: string): fc.Arbitrary<Root> =>
      fc.oneof(
        fc.tuple(slotOf(idLiteral, idVariable)).map(([arg]): Root => ({ alias, field: 'store', arg, windows: [FIXED_WINDOW] })),
        fc
          .oneof(
            { weight: 3, arbitrary: fc.array(slotOf(idLiteral, idVariable, 6), { minLength: 0, maxLength: 4 }).map((items): Slot => ({ via: 'literal', lit: { kind: 'list', items } })) },
            { weight: 1, arbitrary: variableFor('ids', idsJson) },
            { weight: 1, arbitrary: idLiteral },
          )
          .map((arg): Root => ({ alias, field: 'stores', arg, windows: [FIXED_WINDOW] })),
      );
    const request = fc
      .tuple(fc.integer({ min: 1, max: 3 }), variableNames)
      .chain(([n, names]) => fc.tuple(...Array.from({ length: n }, (_, i) => root(`r${i}`))).map((roots) => withVariableNames({ roots }, names)));
    await assertProperty(request, RUNS, [
      // `$__proto__` is refused as a variable name (the executor would silently drop its value): no call.
      req([storeRoot(vari('__proto__', ID_T, '"174679"'))]),
      // A nullable variable with a default, sent as null, in the non-null `id:`: a field error, typed, no call.
      req([storeRoot(vari('i', nullable(ID_T), 'null', { kind: 'string', value: '1' }))]),
      // JSON numbers the ID scalar takes (integers): 1e3 → "1000" and 5.0 → "5" are valid ids; -0 → "0" is not.
      req([storeRoot(vari('a', ID_T, '1e3'), [FIXED_WINDOW], 'a'), storeRoot(vari('b', ID_T, '5.0'), [FIXED_WINDOW], 'b'), storeRoot(vari('c', ID_T, '-0'), [FIXED_WINDOW], 'c')]),
      req([storeRoot({ via: 'literal', lit: { kind: 'int', text: '12345678901' } }), storeRoot(str('012345'), [FIXED_WINDOW], 's')]),
    ]);
  });

  it('dates (Feb 29/30, years 0000–10000, wrong formats, windows around the limits; literals and variables)', { timeout: 120_000 }, async () => {
    const window = (i: number) =>
      fc.constantFrom<Window['field']>('passengerIndicator', 'dailyPassengerIndicators').chain((field) => windowOf(field, `w${i}`, windowDates(field === 'dailyPassengerIndicators'), 1, MILD));
    const request = fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), variableNames)
      .chain(([n, twoStores, names]) =>
        fc.tuple(...Array.from({ length: n }, (_, i) => window(i))).map((windows) =>
          withVariableNames(
            {
              roots: [
                twoStores
                  ? { alias: 's', field: 'stores', arg: { via: 'literal', lit: { kind: 'list', items: ['174679', '3'].map((value): Slot => ({ via: 'literal', lit: { kind: 'string', value } })) } }, windows }
                  : { alias: 's', field: 'store', arg: { via: 'literal', lit: { kind: 'string', value: '174679' } }, windows },
              ],
            },
            names,
          ),
        ),
      );
    await assertProperty(request, RUNS, [
      // Year 0000 is not a date of the proleptic Gregorian calendar the vendor takes (0001–9999): no call.
      req([storeRoot(str('174679'), [win(str('0000-01-01'), str('0000-01-01'))])]),
      req([storeRoot(str('174679'), [win(vari('d', DATE_T, '"0000-02-29"'), str('0001-01-01'), undefined, 'dailyPassengerIndicators')])]),
      // A nullable variable with a default, sent as null, in the non-null `from:`: a field error, typed, no call.
      req([storeRoot(str('174679'), [win(vari('d', nullable(DATE_T), 'null', { kind: 'string', value: '2025-05-10' }), str('2025-05-10'))])]),
      // Leap days and the ends of the calendar: valid, one call per day.
      req([storeRoot(str('174679'), [win(str('0400-02-28'), str('0400-03-01'), undefined, 'dailyPassengerIndicators'), win(str('2000-02-29'), str('2000-02-29'), undefined, 'passengerIndicator', 'v')])]),
      req([storeRoot(str('1'), [win(str('0001-01-01'), str('0001-01-01'), undefined, 'dailyPassengerIndicators'), win(str('9999-12-31'), str('9999-12-31'), undefined, 'passengerIndicator', 'v')])]),
      // Not leap days: 1900, 0100; and Feb 30.
      req([storeRoot(str('1'), [win(str('1900-02-29'), str('1900-03-01'))])]),
      req([storeRoot(str('1'), [win(vari('d', DATE_T, '"0100-02-29"'), str('0100-03-01'))])]),
    ]);
  });

  it('variables (`__proto__`/`constructor` keys and names, wrong types, huge numbers, NaN, null, missing, defaults)', { timeout: 120_000 }, async () => {
    const window = (i: number) =>
      fc.constantFrom<Window['field']>('passengerIndicator', 'dailyPassengerIndicators').chain((field) => windowOf(field, `w${i}`, windowDates(field === 'dailyPassengerIndicators'), 4));
    const root = (i: number): fc.Arbitrary<Root> =>
      fc
        .tuple(
          fc.oneof(
            variableFor('id', mostlyValid(validIdJson, idJson)).map((arg) => ({ field: 'store' as const, arg })),
            variableFor('ids', mostlyValid(validIdsJson, idsJson)).map((arg) => ({ field: 'stores' as const, arg })),
          ),
          fc.array(window(i), { minLength: 0, maxLength: 1 }),
        )
        .map(([{ field, arg }, windows]): Root => ({ alias: `r${i}`, field, arg, windows: windows.map((w, j) => ({ ...w, alias: `w${j}` })) }));
    const shape = fc.oneof(
      { weight: 12, arbitrary: fc.constant<Request['variablesShape']>({ kind: 'object' }) },
      { weight: 1, arbitrary: fc.constantFrom<Request['variablesShape']>({ kind: 'absent' }, { kind: 'raw', json: 'null' }, { kind: 'raw', json: '[]' }, { kind: 'raw', json: '"{}"' }, { kind: 'raw', json: '1' }, { kind: 'raw', json: 'true' }) },
    );
    const topLevelJunk = fc.constantFrom('', '', '', '"__proto__":{"variables":{"id":"5"},"query":"{ __typename }"}', '"constructor":{"prototype":{"id":"5"}}', '"extensions":{"__proto__":{"x":1}}', '"operationName":null');
    const request = fc
      .tuple(fc.integer({ min: 1, max: 2 }), variableNames, junkEntries, shape, topLevelJunk)
      .chain(([n, names, junk, variablesShape, top]) =>
        fc.tuple(...Array.from({ length: n }, (_, i) => root(i))).map((roots): Request => ({ ...withVariableNames({ roots }, names), junk, variablesShape, topLevelJunk: top })),
      );
    await assertProperty(request, RUNS, [
      // A nullable Boolean variable sent as null where `businessHoursOnly: Boolean! = false`: a field error, typed, no call.
      req([storeRoot(str('174679'), [win(str('2025-05-10'), str('2025-05-10'), vari('b', nullable(BOOL_T), 'null'))])]),
      // `__proto__` in `variables` holding the values of the operation's variables: still not provided.
      req([storeRoot(vari('id', ID_T))], { junk: [['__proto__', '{"id":"5"}']] }),
      // A single id where a list is expected is coerced to a list of one: 1 call.
      req([{ alias: 'r', field: 'stores', arg: vari('ids', IDS_T, '"174679"'), windows: [FIXED_WINDOW] }]),
      // Numbers beyond double range are Infinity, not an integer: refused.
      req([storeRoot(vari('id', ID_T, '9'.repeat(400)))]),
    ]);
  });

  it('aliases (up to 50 root fields, `__proto__`/`constructor` names, shared keys fetched once, over-budget queries refused whole)', { timeout: 120_000 }, async () => {
    // Mostly valid documents, so that most runs execute and the exact set of calls is checked; a bad id or
    // window fails only its own field. Document-level defects (a float id, an over-budget root) are rare.
    const ids = ['1', '2', '174679'];
    const idSlot = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...ids).map(str) },
      { weight: 2, arbitrary: fc.constantFrom('0', '01', '+1', ' 1', '__proto__', '١٢٣', '', '100000000000').map(str) },
      { weight: 2, arbitrary: fc.constantFrom(...ids).map((text): Slot => ({ via: 'literal', lit: { kind: 'int', text } })) },
      { weight: 2, arbitrary: variableFor('id', fc.constantFrom('"1"', '"2"', '174679', '"0"'), HONEST) },
    );
    const windowPool: Array<[Window['field'], string, string]> = [
      ['passengerIndicator', '2025-05-10', '2025-05-10'],
      ['passengerIndicator', '2025-05-04', '2025-05-10'],
      ['passengerIndicator', '2024-01-01', '2024-12-31'],
      ['passengerIndicator', '2024-01-01', '2025-01-02'], // 368 days: refused
      ['passengerIndicator', '2025-05-11', '2025-05-10'], // reversed: refused
      ['dailyPassengerIndicators', '2025-05-10', '2025-05-10'],
      ['dailyPassengerIndicators', '2024-02-28', '2024-03-01'],
      ['dailyPassengerIndicators', '2025-01-01', '2025-04-04'], // 94 days: refused
    ];
    const window = (alias: string): fc.Arbitrary<Window> =>
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...windowPool.slice(0, 3), ...windowPool.slice(5, 7)) }, { weight: 1, arbitrary: fc.constantFrom(windowPool[3]!, windowPool[4]!, windowPool[7]!) }).chain(([field, from, to]) => windowOf(field, alias, fc.constant<[string, string]>([from, to]), 1, HONEST));
    const windows = fc.uniqueArray(gqlName, { maxLength: 3 }).chain((aliases): fc.Arbitrary<Window[]> => fc.tuple(...aliases.map(window)));
    /** 25 stores × a 93-day series: 2325 calls, over the budget alone. */
    const heavy = (alias: string): Root => ({
      alias,
      field: 'stores',
      arg: { via: 'literal', lit: { kind: 'list', items: Array.from({ length: 25 }, (_, i) => str(String(i + 1))) } },
      windows: [win(str('2025-01-01'), str('2025-04-03'), undefined, 'dailyPassengerIndicators')],
    });
    const root = (alias: string): fc.Arbitrary<Root> =>
      fc.oneof(
        { weight: 300, arbitrary: fc.tuple(idSlot, windows).map(([arg, w]): Root => ({ alias, field: 'store', arg, windows: w })) },
        {
          weight: 100,
          arbitrary: fc.tuple(fc.array(idSlot, { maxLength: 3 }), windows).map(([items, w]): Root => ({ alias, field: 'stores', arg: { via: 'literal', lit: { kind: 'list', items } }, windows: w })),
        },
        { weight: 1, arbitrary: fc.constant(heavy(alias)) },
        { weight: 1, arbitrary: windows.map((w): Root => ({ alias, field: 'store', arg: { via: 'literal', lit: { kind: 'float', text: '1.0' } }, windows: w })) },
      );
    const request = fc
      .tuple(fc.uniqueArray(gqlName, { minLength: 1, maxLength: 50 }), variableNames)
      .chain(([aliases, names]) => fc.tuple(...aliases.map(root)).map((roots) => withVariableNames({ roots }, names)));
    await assertProperty(request, ALIAS_RUNS, [
      // Prototype names as response keys, and 50 aliases of one store/day: exactly 1 call.
      req(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__typename'].map((alias) => storeRoot(str('174679'), [FIXED_WINDOW], alias))),
      req(Array.from({ length: 50 }, (_, i) => storeRoot(str('174679'), [{ ...FIXED_WINDOW, alias: `w${i % 3}` }], `a${i}`))),
    ]);
  });

  it('1 MB strings (ids, dates, aliases, variable names and values, junk keys)', { timeout: 120_000 }, async () => {
    const MB = 1 << 20;
    const huge = fc.oneof(fc.constantFrom('1', '0', 'a', '\u0000', '\uD800', '-', '9', '2025-05-10', '𝟏', '"', '\\'), fc.string({ unit: 'binary', minLength: 1, maxLength: 4 })).map((unit) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB));
    const hugeName = fc.constantFrom('a', '_', 'Z9').map((unit) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB));
    const store = (arg: Slot, alias = 'r', windows: Window[] = [FIXED_WINDOW]): Root => ({ alias, field: 'store', arg, windows });
    const valid: Slot = { via: 'literal', lit: { kind: 'string', value: '174679' } };
    const request = fc.oneof(
      huge.map((s) => withVariableNames({ roots: [store({ via: 'literal', lit: { kind: 'string', value: s } })] }, [])),
      huge.map((s) => withVariableNames({ roots: [store({ via: 'variable', name: '', type: ID_T, json: JSON.stringify(s) })] }, ['id'])),
      huge.map((s) => withVariableNames({ roots: [store({ via: 'variable', name: '', type: IDS_T, json: `[${JSON.stringify(s)},"1"]` })] }, ['ids'])),
      huge.map((s) => withVariableNames({ roots: [store(valid, 'r', [{ ...FIXED_WINDOW, from: { via: 'literal', lit: { kind: 'string', value: s } } }])] }, [])),
      huge.map((s) => withVariableNames({ roots: [store(valid, 'r', [{ ...FIXED_WINDOW, to: { via: 'variable', name: '', type: DATE_T, json: JSON.stringify(s) } }])] }, ['d'])),
      hugeName.map((name) => withVariableNames({ roots: [store(valid, name)] }, [])),
      hugeName.map((name) => withVariableNames({ roots: [store({ via: 'variable', name: '', type: ID_T, json: '"5"' })] }, [name])),
      fc.tuple(huge, fc.constantFrom('__proto__', 'x')).map(([s, key]): Request => ({ ...withVariableNames({ roots: [store(valid)] }, []), junk: [[s.slice(0, MB / 2), '1'], [key, JSON.stringify(s.slice(0, MB / 2))]] })),
      fc.constantFrom('1', '9').map((d) => withVariableNames({ roots: [store({ via: 'variable', name: '', type: ID_T, json: d.repeat(MB) })] }, ['id'])),
    );
    await assertProperty(request, 20);
  });
});
