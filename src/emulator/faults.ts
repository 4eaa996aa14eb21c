import { BUSINESS_CODES, returnCodeByNumber } from '../upstream/return-codes.js';
import type { Answer } from './responder.js';
import { HTML_CONTENT_TYPE, htmlErrorPage, htmlLoginPage, JSON_CONTENT_TYPE, malformedJsonBody, stalledBodyStart } from './responses.js';
import { createSeededRandom } from './seeded-random.js';

/** What an injected fault does to a (well-authenticated) call. */
export type FaultKind =
  /** HTTP 200 envelope with this `stat.code`; codename from the return-code table when omitted. */
  | { kind: 'code'; code: number; codename?: string; result?: string }
  /** This HTTP status (default 502) with an HTML error page. */
  | { kind: 'http'; status?: number }
  /** HTTP 200 with an HTML page (like a proxy login page). */
  | { kind: 'html200' }
  /** HTTP 200, `application/json`, body is broken JSON. */
  | { kind: 'malformed-json' }
  /** HTTP 200, empty body. */
  | { kind: 'empty' }
  /** Never answer (until the client aborts or the emulator closes): no status line, no headers. */
  | { kind: 'hang' }
  /**
   * HTTP 200 headers and the first bytes of a JSON envelope, then nothing more (until the client aborts or the
   * emulator closes): a vendor or proxy that stalls mid-body, which a timeout on the headers alone never ends.
   */
  | { kind: 'stall' }
  /** Destroy the socket without answering. */
  | { kind: 'reset' }
  /** SUCCESS envelope with this `data` (to test bad-response parsing). */
  | { kind: 'data'; data: unknown };

export type Fault = FaultKind & {
  /** Only calls whose `depId` business parameter equals this, or whose multi-store `id` lists `S_<this>`. */
  depId?: string | number;
  /** Only calls with this `_mt`. */
  method?: string;
  /**
   * Probability 0..1 that a matching call gets the fault (seeded PRNG, deterministic).
   * @default 1
   */
  rate?: number;
  /**
   * Apply at most this many times, then the fault is spent.
   * @default Infinity
   */
  times?: number;
};

/** A fault ready to apply: the codename of a `code` fault is resolved. */
export type ResolvedFault = FaultKind & { codename?: string };

export interface FaultInjector {
  /** The first matching fault that fires for this call (consuming one of its `times`), or `null`. */
  pick(call: { method: string; depId: string | null; storeIds?: readonly string[] | null }): ResolvedFault | null;
  /** Replaces the faults (their `times` counters start afresh); the PRNG keeps its sequence. */
  set(faults: readonly Fault[]): void;
}

const KINDS = new Set(['code', 'http', 'html200', 'malformed-json', 'empty', 'hang', 'stall', 'reset', 'data']);

/** @throws Error on an invalid fault (unknown kind, rate outside 0..1, …), naming its index. */
export function createFaultInjector(faults: readonly Fault[], seed: number): FaultInjector {
  const random = createSeededRandom(seed);
  let active: { fault: Fault; remaining: number; codename: string | undefined }[] = [];

  const set = (next: readonly Fault[]): void => {
    active = next.map((fault, index) => ({
      fault: { ...fault },
      remaining: fault.times ?? Infinity,
      codename: validateFault(fault, index),
    }));
  };
  set(faults);

  return {
    set,
    pick(call) {
      for (const entry of active) {
        const { fault } = entry;
        if (entry.remaining <= 0) continue;
        if (fault.method !== undefined && fault.method !== call.method) continue;
        if (fault.depId !== undefined && String(fault.depId) !== call.depId && !call.storeIds?.includes(String(fault.depId))) continue;
        const rate = fault.rate ?? 1;
        // Draw only for partial rates, so adding an always-on fault does not shift a rated fault's sequence.
        if (rate < 1 && !(random() < rate)) continue;
        entry.remaining -= 1;
        return fault.kind === 'code' ? { ...fault, codename: entry.codename } : fault;
      }
      return null;
    },
  };
}

/** What a call hit by `fault` is answered with. */
export function faultAnswer(fault: ResolvedFault): Answer {
  switch (fault.kind) {
    case 'code':
      return { type: 'envelope', code: fault.code, codename: fault.codename ?? String(fault.code), result: fault.result ?? 'Injected fault.', data: null };
    case 'data':
      return { type: 'envelope', code: 0, codename: 'SUCCESS', result: 'success', data: fault.data };
    case 'http': {
      const status = fault.status ?? 502;
      return { type: 'page', status, contentType: HTML_CONTENT_TYPE, body: () => htmlErrorPage(status, httpReason(status)) };
    }
    case 'html200':
      return { type: 'page', status: 200, contentType: HTML_CONTENT_TYPE, body: () => htmlLoginPage() };
    case 'malformed-json':
      return { type: 'page', status: 200, contentType: JSON_CONTENT_TYPE, body: (systime) => malformedJsonBody(systime) };
    case 'empty':
      return { type: 'page', status: 200, contentType: JSON_CONTENT_TYPE, body: () => '' };
    case 'hang':
      return { type: 'hang' };
    case 'stall':
      return { type: 'stall', status: 200, contentType: JSON_CONTENT_TYPE, start: (systime) => stalledBodyStart(systime) };
    case 'reset':
      return { type: 'reset' };
  }
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 429: 'Too Many Requests', 404: 'Not Found' };
  return reasons[status] ?? 'Error';
}

/** Returns the resolved codename of a `code` fault. */
function validateFault(fault: Fault, index: number): string | undefined {
  const where = `fault[${index}]`;
  if (typeof fault !== 'object' || fault === null || !KINDS.has(fault.kind)) {
    throw new Error(`${where}: unknown kind; expected one of ${[...KINDS].join(', ')}`);
  }
  if (fault.rate !== undefined && !(fault.rate >= 0 && fault.rate <= 1)) throw new Error(`${where}: rate must be between 0 and 1`);
  if (fault.times !== undefined && !(fault.times === Infinity || (Number.isInteger(fault.times) && fault.times >= 0))) {
    throw new Error(`${where}: times must be a non-negative integer or Infinity`);
  }
  if (fault.kind === 'http' && fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)) {
    throw new Error(`${where}: status must be an HTTP status 200-599`);
  }
  if (fault.kind !== 'code') return undefined;
  if (!Number.isInteger(fault.code)) throw new Error(`${where}: code must be an integer`);
  if (fault.codename !== undefined) return fault.codename;
  const known =
    returnCodeByNumber(fault.code)?.codename ??
    Object.values(BUSINESS_CODES).find((c) => c.code === fault.code)?.codename;
  if (known === undefined) throw new Error(`${where}: code ${fault.code} is not in the return-code table; give a codename`);
  return known;
}
