/**
 * The bench's pass/fail rules: correctness and upstream call counts only. Timings vary by machine and are
 * never judged.
 */
import type { ScenarioFigures } from './measure.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Upstream calls each answered request of `scenario` must cause. `exactly` holds for every single request (the
 * fewest and the most), and needs an unambiguous attribution; `moreThan` is judged on the mean.
 */
export type UpstreamCallsExpectation = { scenario: string; exactly: number } | { scenario: string; moreThan: number };

function noErrors(row: ScenarioFigures): Check {
  return {
    name: `${row.name}: no errors`,
    ok: row.errors.total === 0,
    detail: row.errors.total === 0 ? '0 errors' : `${row.errors.total} errors (${JSON.stringify(row.errors)}); first: ${row.firstProblem ?? '?'}`,
  };
}

function upstreamCalls(expectation: UpstreamCallsExpectation, row: ScenarioFigures | undefined): Check {
  if ('exactly' in expectation) {
    const calls = row?.upstream;
    const { exactly } = expectation;
    return {
      name: `${expectation.scenario}: exactly ${exactly} upstream calls per request`,
      ok: calls !== undefined && calls !== null && !calls.ambiguous && calls.perRequestMin === exactly && calls.perRequestMax === exactly,
      detail: calls
        ? `min ${calls.perRequestMin ?? '—'}, max ${calls.perRequestMax ?? '—'} over ${row?.requests ?? 0} requests${calls.ambiguous ? ', attribution ambiguous' : ''}`
        : 'not measured',
    };
  }
  const perRequest = row?.upstreamCallsPerRequest ?? null;
  return {
    name: `${expectation.scenario}: more than ${expectation.moreThan} upstream calls per request`,
    ok: perRequest !== null && perRequest > expectation.moreThan,
    detail: perRequest === null ? 'no answered request' : `${perRequest} per request`,
  };
}

/** "No errors" for every row, in row order, then each expectation on upstream calls, in its order. */
export function evaluateChecks(rows: readonly ScenarioFigures[], expectations: readonly UpstreamCallsExpectation[]): Check[] {
  return [
    ...rows.map(noErrors),
    ...expectations.map((expectation) => upstreamCalls(expectation, rows.find((row) => row.name === expectation.scenario))),
  ];
}
