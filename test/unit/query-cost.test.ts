import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DISTINCT_CALLS, DASHBOARD_QUERY, dashboardVariables, ID_BLOCKS } from '../../scripts/bench/scenario-queries.js';
import { estimateUpstreamCalls, type CostRules } from '../../src/security/query-cost.js';

const rules: CostRules = { maxDailyDays: 93, maxHourlyDays: 7, hourlyBatchSize: 20 };

function cost(query: string, variables?: Record<string, unknown> | null, operationName?: string | null, costRules: CostRules = rules): number {
  return estimateUpstreamCalls(parse(query), { variables, operationName, rules: costRules });
}

const ids = (count: number, first = 1): string[] => Array.from({ length: count }, (_, i) => String(first + i));
const WEEK = 'from: "2026-05-04", to: "2026-05-10"';

describe('estimateUpstreamCalls: fields and stores', () => {
  it('counts one store-day as 1 call, and fields that call nothing as 0', () => {
    expect(cost(`{ store(id: "174679") { id __typename passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`)).toBe(1);
    expect(cost(`{ __typename store(id: "174679") { id __typename } }`)).toBe(0);
  });

  it('counts every alias of the same field', () => {
    expect(cost(`{ store(id: "1") { a: passengerIndicator(${WEEK}) { inflow } b: passengerIndicator(${WEEK}) { inflow } c: passengerIndicator(${WEEK}) { inflow } } }`)).toBe(3);
  });

  it('multiplies stores(ids:) by the sum of its indicator fields: 3 stores × (week + 7 days) = 24', () => {
    expect(cost(`{ stores(ids: ["1", "2", "3"]) { week: passengerIndicator(${WEEK}) { inflow } dailyPassengerIndicators(${WEEK}) { inflow } } }`)).toBe(24);
  });

  it('takes ids and dates from variables, a missing variable from its default, a lone id as a list of one', () => {
    const query = `query Q($ids: [ID!]!, $from: LocalDate!, $to: LocalDate! = "2026-05-13") {
      stores(ids: $ids) { dailyPassengerIndicators(from: $from, to: $to) { inflow } }
    }`;
    expect(cost(query, { ids: ids(4), from: '2026-05-04', to: '2026-05-10' })).toBe(4 * 7);
    expect(cost(query, { ids: ids(4), from: '2026-05-04' })).toBe(4 * 10); // $to defaults to 2026-05-13
    expect(cost(query, { ids: '7', from: '2026-05-04', to: '2026-05-06' })).toBe(3); // coerced to ["7"]
    expect(cost(query, { ids: null, from: '2026-05-04', to: '2026-05-06' })).toBe(0);
    expect(cost(query, { from: '2026-05-04', to: '2026-05-06' })).toBe(0); // execution refuses a missing $ids
    const withDefaultIds = `query Q($ids: [ID!]! = ["1", "2"]) { stores(ids: $ids) { passengerIndicator(${WEEK}) { inflow } } }`;
    expect(cost(withDefaultIds, null)).toBe(2);
    expect(cost(withDefaultIds, { ids: ids(5) })).toBe(5);
    expect(cost(`{ stores(ids: "9") { passengerIndicator(${WEEK}) { inflow } } }`)).toBe(1);
  });

  it('counts one store per _entities representation', () => {
    const query = `query E($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on Store { passengerIndicator(${WEEK}) { inflow } dailyPassengerIndicators(from: "2026-05-01", to: "2026-05-03") { inflow } } }
    }`;
    const representations = ids(5).map((id) => ({ __typename: 'Store', id }));
    expect(cost(query, { representations })).toBe(5 * (1 + 3));
    expect(cost(`{ _entities(representations: [{ __typename: "Store", id: "1" }, { __typename: "Store", id: "2" }]) { ... on Store { passengerIndicator(${WEEK}) { inflow } } } }`)).toBe(2);
  });
});

describe('estimateUpstreamCalls: fragments and directives', () => {
  it('expands a named fragment each time it is spread, on stores and on Query', () => {
    const onStore = `{ store(id: "1") { ...W a: id ...W } } fragment W on Store { passengerIndicator(${WEEK}) { inflow } dailyPassengerIndicators(${WEEK}) { inflow } }`;
    expect(cost(onStore)).toBe(2 * 8);
    const onQuery = `{ ...Q ...Q } fragment Q on Query { stores(ids: ["1", "2"]) { ...W } } fragment W on Store { passengerIndicator(${WEEK}) { inflow } }`;
    expect(cost(onQuery)).toBe(2 * 2);
  });

  it('expands nested inline fragments', () => {
    const query = `{
      stores(ids: ["1", "2"]) {
        ... on Store { passengerIndicator(${WEEK}) { inflow } ... { ... on Store { d: dailyPassengerIndicators(${WEEK}) { inflow } } } }
      }
      ... on Query { ... { store(id: "3") { ... { passengerIndicator(${WEEK}) { inflow } } } } }
    }`;
    expect(cost(query)).toBe(2 * (1 + 7) + 1);
  });

  it('honours @skip and @include with literals and variables', () => {
    const query = `query Q($skip: Boolean!, $with: Boolean! = true) { store(id: "1") {
      a: passengerIndicator(${WEEK}) @skip(if: true) { inflow }
      b: passengerIndicator(${WEEK}) @skip(if: false) { inflow }
      c: passengerIndicator(${WEEK}) @include(if: false) { inflow }
      ... @skip(if: $skip) { dailyPassengerIndicators(${WEEK}) { inflow } }
      ...F @include(if: $with)
    } } fragment F on Store { passengerIndicator(${WEEK}) { inflow } }`;
    expect(cost(query, { skip: true })).toBe(1 + 1);
    expect(cost(query, { skip: false, with: false })).toBe(1 + 7);
    expect(cost(`{ store(id: "1") @skip(if: true) { passengerIndicator(${WEEK}) { inflow } } }`)).toBe(0);
  });
});

describe('estimateUpstreamCalls: daily windows', () => {
  const daily = (from: string, to: string) => `{ store(id: "1") { dailyPassengerIndicators(from: "${from}", to: "${to}") { inflow } } }`;

  it('counts the days of [from, to] inclusive, across a leap day and in year 0001', () => {
    expect(cost(daily('2024-02-28', '2024-03-01'))).toBe(3);
    expect(cost(daily('0001-01-01', '0001-03-01'))).toBe(60);
  });

  it('costs 0 for a window refused before any call: an invalid date, from after to, a null date', () => {
    expect(cost(daily('2026-02-30', '2026-03-02'))).toBe(0);
    expect(cost(daily('2023-02-29', '2023-03-02'))).toBe(0);
    expect(cost(daily('2026-5-4', '2026-05-10'))).toBe(0);
    expect(cost(daily('2026-05-10', '2026-05-04'))).toBe(0);
    const query = `query Q($from: LocalDate!) { store(id: "1") { dailyPassengerIndicators(from: $from, to: "2026-05-10") { inflow } } }`;
    expect(cost(query, { from: 20260504 })).toBe(0);
    expect(cost(query, { from: null })).toBe(0);
    expect(cost(query, { from: '2026-05-04' })).toBe(7);
  });

  it('caps a daily window longer than maxDailyDays', () => {
    expect(cost(daily('2026-01-01', '2026-12-31'))).toBe(93);
    expect(cost(daily('2026-01-01', '2026-12-31'), null, null, { ...rules, maxDailyDays: 366 })).toBe(365);
    expect(cost(daily('0001-01-01', '9999-12-31'), null, null, { ...rules, maxDailyDays: 10 })).toBe(10);
  });
});

describe('estimateUpstreamCalls: the limits of the security issue', () => {
  it('keeps the bench dashboard (20 stores × (week + 7 days), every store twice) at 320, within 2000', () => {
    const estimate = cost(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.dashboard, 0), 'Dashboard');
    // Each of the 160 distinct calls is counted once per alias: an upper bound of what the loaders make.
    expect(estimate).toBe(2 * DASHBOARD_DISTINCT_CALLS);
    expect(estimate).toBe(320);
    expect(estimate).toBeLessThanOrEqual(2000);
  });

  it('counts 1000 aliases of store(id:) with one indicator each as 1000 calls', () => {
    const aliases = ids(1000).map((id) => `s${id}: store(id: "${id}") { passengerIndicator(${WEEK}) { inflow } }`);
    expect(cost(`{ ${aliases.join('\n')} }`)).toBe(1000);
  });

  it('counts a 2001-id stores(ids:) query as 2001 calls', () => {
    const query = `query Big($ids: [ID!]!) { stores(ids: $ids) { passengerIndicator(${WEEK}) { inflow } } }`;
    expect(cost(query, { ids: ids(2001) })).toBe(2001);
    expect(cost(`{ stores(ids: ${JSON.stringify(ids(2001))}) { passengerIndicator(${WEEK}) { inflow } } }`)).toBe(2001);
  });
});

/** Fragments F0 … F(levels-1) on `on`: each spreads the next one twice; the last holds `leaf`. */
function doublingChain(prefix: string, on: string, levels: number, leaf: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment ${prefix}${i} on ${on} { ...${prefix}${i + 1} ...${prefix}${i + 1} }`);
  return `${fragments.join('\n')}\nfragment ${prefix}${levels} on ${on} { ${leaf} }`;
}

describe('estimateUpstreamCalls: hostile documents', () => {
  const leaf = `passengerIndicator(${WEEK}) { inflow }`;

  it('computes a fan-out of 2^30 exactly, each fragment once', () => {
    expect(cost(`{ store(id: "1") { ...F0 } }\n${doublingChain('F', 'Store', 30, leaf)}`)).toBe(2 ** 30);
  });

  it('saturates at MAX_SAFE_INTEGER instead of overflowing or taking exponential time', () => {
    // 2^64 expansions: without memoization this would never finish.
    expect(cost(`{ store(id: "1") { ...F0 } }\n${doublingChain('F', 'Store', 64, leaf)}`)).toBe(Number.MAX_SAFE_INTEGER);
    // 2^30 on Query × 2^30 on Store = 2^60.
    const query = `{ ...Q0 }\n${doublingChain('Q', 'Query', 30, 'store(id: "1") { ...S0 }')}\n${doublingChain('S', 'Store', 30, leaf)}`;
    expect(cost(query)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('follows a chain of 20 000 fragments without exhausting the call stack', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => `fragment C${i} on Store { ...C${i + 1} }`);
    expect(cost(`{ store(id: "1") { ...C0 } }\n${chain.join('\n')}\nfragment C20000 on Store { ${leaf} }`)).toBe(1);
  });

  it('terminates on fragment cycles (an invalid document): a fragment adds nothing inside itself', () => {
    expect(cost(`{ store(id: "1") { ...A } } fragment A on Store { ${leaf} ...B } fragment B on Store { ${leaf} ...A }`)).toBe(2);
    expect(cost(`{ store(id: "1") { ...A ...Missing } } fragment A on Store { ...A ${leaf} }`)).toBe(1);
  });

  it('reads only own properties of the variables: __proto__ and inherited keys neither crash nor inflate', () => {
    const query = `query Q($ids: [ID!]!) { stores(ids: $ids) { passengerIndicator(${WEEK}) { inflow } } }`;
    expect(cost(query, JSON.parse(`{ "__proto__": { "ids": ${JSON.stringify(ids(3000))} } }`) as Record<string, unknown>)).toBe(0);
    expect(cost(query, Object.create({ ids: ids(3000) }) as Record<string, unknown>)).toBe(0);
    expect(cost(`query Q($toString: [ID!]!) { stores(ids: $toString) { passengerIndicator(${WEEK}) { inflow } } }`, {})).toBe(0);
    const ownProto = `query Q($__proto__: [ID!]!) { stores(ids: $__proto__) { passengerIndicator(${WEEK}) { inflow } } }`;
    expect(cost(ownProto, JSON.parse('{ "__proto__": ["1", "2"] }') as Record<string, unknown>)).toBe(2);
    expect(cost(`{ store(id: "1") { constructor __proto__ toString } constructor { passengerIndicator(${WEEK}) { inflow } } }`)).toBe(0);
  });
});

describe('estimateUpstreamCalls: operation selection', () => {
  const two = `query One { store(id: "1") { passengerIndicator(${WEEK}) { inflow } } }
    query Week { store(id: "1") { dailyPassengerIndicators(${WEEK}) { inflow } } }`;

  it('costs the operation named by operationName', () => {
    expect(cost(two, null, 'One')).toBe(1);
    expect(cost(two, null, 'Week')).toBe(7);
  });

  it('returns 0 when the operation cannot be resolved', () => {
    expect(cost(two)).toBe(0);
    expect(cost(two, null, 'Missing')).toBe(0);
    expect(cost(`query One { store(id: "1") { passengerIndicator(${WEEK}) { inflow } } }`, null, '')).toBe(0);
    expect(cost(`fragment W on Store { id }`)).toBe(0);
  });
});

describe('estimateUpstreamCalls: hourly batches across stores', () => {
  const hourly = (args = WEEK) => `hourlyPassengerIndicators(${args}) { hour inflow }`;

  it('counts the stores of one window as ⌈N / batch size⌉ calls: 20 → 1, 21 → 2, 45 → 3', () => {
    for (const [stores, calls] of [[1, 1], [20, 1], [21, 2], [45, 3]] as const) {
      expect(cost(`query Q($ids: [ID!]!) { stores(ids: $ids) { ${hourly()} } }`, { ids: ids(stores) }), `${stores} stores`).toBe(calls);
    }
  });

  it('pools the same window across root fields, fragments and the default of businessHoursOnly; other windows batch apart', () => {
    const fragment = `fragment H on Store { ${hourly()} }`;
    // 30 + 15 stores asking the same window (explicit false = the default) → ⌈45 / 20⌉ = 3.
    expect(cost(`{ a: stores(ids: ${JSON.stringify(ids(30))}) { ...H } b: stores(ids: ${JSON.stringify(ids(15, 100))}) { ${hourly(`${WEEK}, businessHoursOnly: false`)} } } ${fragment}`)).toBe(3);
    // Business hours only is another call: ⌈30 / 20⌉ + ⌈30 / 20⌉ = 4; a window of one day is another again.
    expect(cost(`query Q($open: Boolean!) { stores(ids: ${JSON.stringify(ids(30))}) { a: ${hourly()} b: ${hourly(`${WEEK}, businessHoursOnly: $open`)} c: ${hourly('from: "2026-05-10", to: "2026-05-10"')} } }`, { open: true })).toBe(2 + 2 + 2);
    // Added to the other fields' calls: 20 stores × 1 indicator + 1 hourly batch.
    expect(cost(`{ stores(ids: ${JSON.stringify(ids(20))}) { passengerIndicator(${WEEK}) { inflow } ${hourly()} } }`)).toBe(21);
  });

  it('costs 0 for a window the resolver refuses, and one call per store without the loader (batch size 1)', () => {
    expect(cost(`{ stores(ids: ["1", "2"]) { ${hourly('from: "2026-05-01", to: "2026-05-08"')} } }`)).toBe(0); // 8 days > 7
    expect(cost(`{ stores(ids: ["1", "2"]) { ${hourly('from: "2026-05-10", to: "2026-05-04"')} } }`)).toBe(0);
    expect(cost(`{ stores(ids: ${JSON.stringify(ids(45))}) { ${hourly()} } }`, null, null, { ...rules, hourlyBatchSize: 1 })).toBe(45);
  });
});
