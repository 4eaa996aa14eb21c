import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateUpstreamCalls, type CostRules } from '../../src/security/query-cost.js';

/** The store directory in the cost estimate: its pages once per request, however many fields need it. */

const WEEK = 'from: "2026-05-04", to: "2026-05-10"';
const hints = (calls: number, stores: number): CostRules => ({ maxDailyDays: 93, maxHourlyDays: 7, hourlyBatchSize: 20, directory: { calls: () => calls, stores: () => stores } });
const cost = (query: string, rules: CostRules, variables?: Record<string, unknown>) => estimateUpstreamCalls(parse(query), { rules, variables: variables ?? null });

describe('estimateUpstreamCalls: the store directory', () => {
  it('directory fields cost the directory’s calls once per request, whatever the number of stores, fields and aliases', () => {
    const rules = hints(7, 64);
    expect(cost('{ store(id: "1") { name } }', rules)).toBe(7);
    expect(cost('{ stores(ids: ["1", "2", "3"]) { name address region isOpen location { latitude } a: name } b: store(id: "4") { name } }', rules)).toBe(7);
    expect(cost('query($r: [_Any!]!) { _entities(representations: $r) { ... on Store { name } } }', rules, { r: [{}, {}, {}] })).toBe(7);
  });

  it('fields that need no directory cost none of it; a field named like one elsewhere is not one', () => {
    const rules = hints(7, 64);
    expect(cost('{ store(id: "1") { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }', rules)).toBe(1);
    expect(cost('{ __typename }', rules)).toBe(0);
    expect(cost('{ stores(ids: []) { name } }', rules)).toBe(0);
  });

  it('storeDirectory costs the directory, and its store selection counts once per listed store', () => {
    expect(cost('{ storeDirectory { id } }', hints(7, 64))).toBe(7);
    expect(cost(`{ storeDirectory { name week: passengerIndicator(${WEEK}) { inflow } } }`, hints(0, 64))).toBe(64);
    expect(cost(`{ storeDirectory { ...F } } fragment F on Store { dailyPassengerIndicators(${WEEK}) { inflow } }`, hints(1, 10))).toBe(1 + 70);
  });

  it('a directory field in a fragment counts too, still once', () => {
    expect(cost('{ a: store(id: "1") { ...N } b: store(id: "2") { ...N } } fragment N on Store { name }', hints(3, 64))).toBe(3);
  });

  it('without directory hints nothing of the directory is counted', () => {
    expect(cost('{ store(id: "1") { name } storeDirectory { id } }', { maxDailyDays: 93, maxHourlyDays: 7, hourlyBatchSize: 20 })).toBe(0);
  });
});
