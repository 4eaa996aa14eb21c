import { assertNumberOption } from './emulator-options.js';

/** One request the emulator received, as recorded in `Emulator.calls`. */
export interface EmulatorCall {
  /** 1, 2, 3… in arrival order; keeps counting across `resetCalls()`. */
  seq: number;
  /** Arrival time, epoch ms (host clock, not the skewed emulator clock). */
  at: number;
  httpMethod: 'GET' | 'POST' | string;
  /** Request path without the query string. */
  path: string;
  /** `_mt`, or null when absent or undecodable. */
  method: string | null;
  akey: string | null;
  depId: string | null;
  /** The stores of a multi-store call's `id` (`S_<depId>,…`), in the order sent; null when it has none. */
  storeIds: string[] | null;
  startTime: string | null;
  endTime: string | null;
  isOnBusinessTime: string | null;
  /** getDepartments' `pageNumber`, as sent. */
  pageNumber: string | null;
  /** `stat.code` answered; null for transport faults and for 404/405. */
  code: number | null;
  codename: string | null;
  /** The kind of the injected fault, if any. */
  fault: string | null;
  headers: { authenticator: string | null; ovoAuthorization: string | null };
}

/** Matches calls whose fields equal every given value. */
export type CallFilter = Partial<Pick<EmulatorCall, 'method' | 'depId' | 'code'>>;

export interface CallLog {
  /** A new call, numbered and stamped on arrival; it joins the log only when `record`ed. */
  begin(request: Pick<EmulatorCall, 'httpMethod' | 'path' | 'headers'>): EmulatorCall;
  /** Adds a call, once its answer is decided. */
  record(call: EmulatorCall): void;
  /** The newest `limit` recorded calls, oldest first. */
  readonly calls: readonly EmulatorCall[];
  count(filter?: CallFilter): number;
  /** Forgets every call; `seq` keeps counting. */
  reset(): void;
}

/**
 * The bounded call log behind `Emulator.calls`.
 * @throws Error unless `limit` is Infinity or a non-negative integer.
 */
export function createCallLog(limit: number = Infinity): CallLog {
  if (limit !== Infinity) assertNumberOption('callLogLimit', limit, (n) => Number.isInteger(n) && n >= 0);
  let calls: EmulatorCall[] = [];
  let seq = 0;
  const retained = (): EmulatorCall[] => (calls.length > limit ? calls.slice(-limit) : calls);
  return {
    begin(request) {
      return {
        seq: ++seq,
        at: Date.now(),
        httpMethod: request.httpMethod,
        path: request.path,
        method: null,
        akey: null,
        depId: null,
        storeIds: null,
        startTime: null,
        endTime: null,
        isOnBusinessTime: null,
        pageNumber: null,
        code: null,
        codename: null,
        fault: null,
        headers: request.headers,
      };
    },
    record(call) {
      calls.push(call);
      // Trim in chunks: one splice per `limit` calls keeps recording O(1) amortised.
      if (calls.length > 2 * limit) calls = calls.slice(-limit);
    },
    get calls() {
      return retained();
    },
    count(filter = {}) {
      const entries = Object.entries(filter).filter(([, value]) => value !== undefined) as [keyof EmulatorCall, unknown][];
      return retained().filter((call) => entries.every(([name, value]) => call[name] === value)).length;
    },
    reset() {
      calls = [];
    },
  };
}
