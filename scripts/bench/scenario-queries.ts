/**
 * What each bench scenario asks, and what a correct answer to it looks like.
 *
 * Every request of a scenario asks about store ids no other request uses, so the gateway's answer cache can
 * never serve it, and each upstream call the emulator records (it records `depId`) belongs to exactly one
 * request: that is what lets the bench count upstream calls per completed request exactly, even though the
 * requests still in flight when a timed run stops have made some calls too. The one exception is on purpose:
 * dashboard-warm asks one fixed dashboard over and over, fetched once before its run, so every key is cached and
 * the run must make no upstream call at all.
 */

/** Store ids are 1–11 digits; each scenario draws from its own block so their calls can never be confused. */
export const ID_BLOCKS = {
  warmUp: 1_000_000_000,
  oneStoreDay: 2_000_000_000,
  dashboard: 3_000_000_000,
  naive: 4_000_000_000,
  sequential: 5_000_000_000,
  /** One dashboard's 20 ids, the same in every request (dashboard-warm, dashboard-floor). */
  dashboardWarm: 6_000_000_000,
} as const;

export const TYPENAME_QUERY = '{ __typename }';

const FIGURES = 'inflow passBy outsideFlow inShopRate outflow';

/**
 * Connections of one-store-day-50 and its two baselines: enough that the gateway's own work per request, not
 * the emulator's latency, decides what a one-call query costs (every server gets at least this many upstream
 * sockets, see bench-servers.ts).
 */
export const ONE_STORE_DAY_50_CONNECTIONS = 50;

export const ONE_STORE_DAY_QUERY = `query OneStoreDay($id: ID!, $day: LocalDate!) {
  store(id: $id) { id day: passengerIndicator(from: $day, to: $day) { ${FIGURES} } }
}`;

/** Stores on the dashboard. */
export const DASHBOARD_STORES = 20;
/** The dashboard's week (Monday to Sunday); fixed, since the store ids already make each request unique. */
export const DASHBOARD_WEEK = { from: '2026-05-04', to: '2026-05-10' } as const;
export const DASHBOARD_DAYS = ['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08', '2026-05-09', '2026-05-10'] as const;
/** Distinct (store, window) keys of one dashboard: 7 one-day windows + the week, per store. */
export const DASHBOARD_DISTINCT_CALLS = DASHBOARD_STORES * (DASHBOARD_DAYS.length + 1);
/** Indicator fields of one dashboard (both aliases): what a gateway without loader or cache calls upstream. */
export const DASHBOARD_FIELD_CALLS = 2 * DASHBOARD_DISTINCT_CALLS;

/**
 * The dashboard asks for every store twice (aliases `a` and `b`), as two widgets of one page would: a gateway
 * that de-duplicates makes 160 upstream calls, a naive one 320. The document is fixed and the ids are
 * variables, as a real client sends it, so the server's parse/validate cache is exercised as in production.
 */
export const DASHBOARD_QUERY = `query Dashboard($ids: [ID!]!, $from: LocalDate!, $to: LocalDate!) {
  a: stores(ids: $ids) { ...StoreWeek }
  b: stores(ids: $ids) { ...StoreWeek }
}
fragment StoreWeek on Store {
  id
  week: passengerIndicator(from: $from, to: $to) { ${FIGURES} }
  days: dailyPassengerIndicators(from: $from, to: $to) { from ${FIGURES} }
}`;

export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables === undefined ? { query } : { query, variables });
}

/** The `seq`-th one-store-day request: its own store, and a day cycling over two years. */
export function oneStoreDayVariables(seq: number): { id: string; day: string } {
  const day = new Date(Date.UTC(2025, 0, 1) + (seq % 730) * 86_400_000).toISOString().slice(0, 10);
  return { id: String(ID_BLOCKS.oneStoreDay + seq), day };
}

/** The `seq`-th dashboard's 20 store ids, disjoint from every other dashboard's of the same block. */
export function dashboardStoreIds(block: number, seq: number): string[] {
  return Array.from({ length: DASHBOARD_STORES }, (_, i) => String(block + seq * DASHBOARD_STORES + i));
}

export function dashboardVariables(block: number, seq: number): Record<string, unknown> {
  return { ids: dashboardStoreIds(block, seq), ...DASHBOARD_WEEK };
}

/** dashboard-warm's (and dashboard-floor's) variables: the same 20 stores every time. */
export const WARM_DASHBOARD_VARIABLES = dashboardVariables(ID_BLOCKS.dashboardWarm, 0);

/** The verdict on one response body. `storeIds` are the stores it answered for (for call attribution). */
export type BodyCheck =
  | { ok: true; storeIds: string[] }
  | { ok: false; kind: 'graphql-errors' | 'incomplete'; problem: string };

type Json = Record<string, unknown>;

function parse(body: string): { json: Json } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { problem: `body is not JSON: ${body.slice(0, 120)}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { problem: 'body is not a JSON object' };
  return { json: json as Json };
}

/** A response with an `errors` array is an error whatever its data, as a client would see it. */
function common(body: string): { data: Json } | Extract<BodyCheck, { ok: false }> {
  const parsed = parse(body);
  if ('problem' in parsed) return { ok: false, kind: 'incomplete', problem: parsed.problem };
  const { errors, data } = parsed.json;
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0] as { message?: unknown; extensions?: { code?: unknown } };
    return { ok: false, kind: 'graphql-errors', problem: `errors[0]: ${String(first.extensions?.code ?? '')} ${String(first.message ?? '')}`.trim() };
  }
  if (errors !== undefined && !Array.isArray(errors)) return { ok: false, kind: 'graphql-errors', problem: '`errors` is not an array' };
  if (typeof data !== 'object' || data === null) return { ok: false, kind: 'incomplete', problem: 'no data' };
  return { data: data as Json };
}

export function checkTypename(body: string): BodyCheck {
  const result = common(body);
  if ('ok' in result) return result;
  return result.data.__typename === 'Query' ? { ok: true, storeIds: [] } : { ok: false, kind: 'incomplete', problem: 'data.__typename is not "Query"' };
}

/** Figures as the schema promises them; `outsideFlow = inflow + passBy` is the emulator's rule, a cheap cross-check. */
function indicatorProblem(value: unknown, where: string): string | null {
  if (typeof value !== 'object' || value === null) return `${where} is null`;
  const figures = value as Json;
  const { inflow, passBy, outsideFlow, inShopRate, outflow } = figures;
  for (const [name, field] of [['inflow', inflow], ['passBy', passBy], ['outsideFlow', outsideFlow]] as const) {
    if (!Number.isSafeInteger(field) || (field as number) < 0) return `${where}.${name} is not a non-negative integer`;
  }
  if (typeof inShopRate !== 'number' || inShopRate < 0 || inShopRate > 100) return `${where}.inShopRate is not a percentage`;
  if (outflow !== null && !Number.isSafeInteger(outflow)) return `${where}.outflow is neither null nor an integer`;
  if ((inflow as number) + (passBy as number) !== outsideFlow) return `${where}: outsideFlow ≠ inflow + passBy`;
  return null;
}

export function checkOneStoreDay(body: string): BodyCheck {
  const result = common(body);
  if ('ok' in result) return result;
  const store = result.data.store as Json | null | undefined;
  if (typeof store?.id !== 'string') return { ok: false, kind: 'incomplete', problem: 'data.store.id missing' };
  const problem = indicatorProblem(store.day, 'store.day');
  return problem === null ? { ok: true, storeIds: [store.id] } : { ok: false, kind: 'incomplete', problem };
}

/** Both aliases list the 20 stores in order, each with a week and exactly the 7 expected days, and agree. */
export function checkDashboard(body: string): BodyCheck {
  const result = common(body);
  if ('ok' in result) return result;
  const { a, b } = result.data;
  if (!Array.isArray(a) || !Array.isArray(b)) return { ok: false, kind: 'incomplete', problem: 'data.a or data.b is not a list' };
  if (a.length !== DASHBOARD_STORES || b.length !== DASHBOARD_STORES) {
    return { ok: false, kind: 'incomplete', problem: `expected ${DASHBOARD_STORES} stores per alias, got ${a.length} and ${b.length}` };
  }
  const storeIds: string[] = [];
  for (const [alias, list] of [['a', a], ['b', b]] as const) {
    for (const [i, entry] of list.entries()) {
      const store = entry as Json | null;
      const where = `${alias}[${i}]`;
      if (typeof store?.id !== 'string') return { ok: false, kind: 'incomplete', problem: `${where}.id missing` };
      if (alias === 'a') storeIds.push(store.id);
      else if (store.id !== storeIds[i]) return { ok: false, kind: 'incomplete', problem: `${where}.id differs from a[${i}].id` };
      const weekProblem = indicatorProblem(store.week, `${where}.week`);
      if (weekProblem !== null) return { ok: false, kind: 'incomplete', problem: weekProblem };
      const days = store.days;
      if (!Array.isArray(days) || days.length !== DASHBOARD_DAYS.length) {
        return { ok: false, kind: 'incomplete', problem: `${where}.days is not a list of ${DASHBOARD_DAYS.length}` };
      }
      for (const [d, day] of days.entries()) {
        if ((day as Json | null)?.from !== DASHBOARD_DAYS[d]) return { ok: false, kind: 'incomplete', problem: `${where}.days[${d}].from is not ${DASHBOARD_DAYS[d]}` };
        const dayProblem = indicatorProblem(day, `${where}.days[${d}]`);
        if (dayProblem !== null) return { ok: false, kind: 'incomplete', problem: dayProblem };
      }
    }
  }
  // Two widgets of one page must show the same figures: a de-duplicating gateway answers both from one call.
  if (JSON.stringify(a) !== JSON.stringify(b)) return { ok: false, kind: 'incomplete', problem: 'aliases a and b disagree' };
  return { ok: true, storeIds };
}
