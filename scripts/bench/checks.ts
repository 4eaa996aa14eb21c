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
 * Upstream calls each answered request of `scenario` must cause, for every single request (the fewest and the
 * most); needs an unambiguous attribution. `exactly: 0` also needs the whole run to have made no upstream call
 * at all, attributed or not.
 */
export interface UpstreamCallsExpectation {
  scenario: string;
  exactly: number;
}

function noErrors(row: ScenarioFigures): Check {
  return {
    name: `${row.name}: no errors`,
    ok: row.errors.total === 0,
    detail: row.errors.total === 0 ? '0 errors' : `${row.errors.total} errors (${JSON.stringify(row.errors)}); first: ${row.firstProblem ?? '?'}`,
  };
}

function upstreamCalls(expectation: UpstreamCallsExpectation, row: ScenarioFigures | undefined): Check {
  const calls = row?.upstream;
  const { exactly } = expectation;
  // A slow machine may finish no request of a slow scenario within a short window: nothing to count is a fact
  // about timing, not a wrong count (the smoke check before each scenario has already seen its answer and calls).
  if (row !== undefined && row.requests === 0 && calls?.total === 0) {
    return { name: `${expectation.scenario}: exactly ${exactly} upstream calls per request`, ok: true, detail: 'no request completed in the window: nothing to count' };
  }
  const ok =
    calls !== undefined &&
    calls !== null &&
    !calls.ambiguous &&
    calls.perRequestMin === exactly &&
    calls.perRequestMax === exactly &&
    (exactly > 0 || calls.total === 0);
  return {
    name: `${expectation.scenario}: exactly ${exactly} upstream calls per request`,
    ok,
    detail: calls
      ? `min ${calls.perRequestMin ?? '—'}, max ${calls.perRequestMax ?? '—'} over ${row?.requests ?? 0} requests` +
        `${exactly === 0 ? `; ${calls.total} calls in all during the run` : ''}${calls.ambiguous ? ', attribution ambiguous' : ''}`
      : 'not measured',
  };
}

/** "No errors" for every row, in row order, then each expectation on upstream calls, in its order. */
export function evaluateChecks(rows: readonly ScenarioFigures[], expectations: readonly UpstreamCallsExpectation[]): Check[] {
  return [
    ...rows.map(noErrors),
    ...expectations.map((expectation) => upstreamCalls(expectation, rows.find((row) => row.name === expectation.scenario))),
  ];
}
