import { performance } from 'node:perf_hooks';
import { clientKnobs, loadConfig } from '../../src/config.js';
import { createOpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { DASHBOARD_DAYS, DASHBOARD_WEEK, dashboardStoreIds, ID_BLOCKS } from './scenario-queries.js';

export interface SequentialOutcome {
  /** Wall time of each dashboard, ms. */
  dashboardsMs: number[];
  /** Calls that failed. */
  errors: number;
  firstProblem: string | null;
}

/**
 * The baseline a gateway replaces: integrators' code fetching the dashboard's 160 distinct windows one after
 * another with a plain signed client, each call awaited before the next. Same stores × windows as the
 * dashboard scenario, each distinct window asked once (a careful integrator does not fetch duplicates twice).
 */
export async function runSequentialClient(options: { baseUrl: string; appKey: string; appSecret: string; runs: number }): Promise<SequentialOutcome> {
  // retries: 0, so a failure shows up as an error instead of a silently slower dashboard.
  const client = createOpretailClient({
    ...clientKnobs(loadConfig({})),
    auth: { kind: 'none' },
    baseUrl: options.baseUrl,
    appKey: options.appKey,
    appSecret: options.appSecret,
    retries: 0,
  });
  const api = createPassengerFlowApi(client);
  const dashboardsMs: number[] = [];
  let errors = 0;
  let firstProblem: string | null = null;
  const windows = [...DASHBOARD_DAYS.map((day) => [day, day] as const), [DASHBOARD_WEEK.from, DASHBOARD_WEEK.to] as const];
  try {
    for (let run = 0; run < options.runs; run++) {
      const started = performance.now();
      for (const depId of dashboardStoreIds(ID_BLOCKS.sequential, run)) {
        for (const [from, to] of windows) {
          try {
            await api.getPassengerIndicatorData({ depId, startTime: `${from} 00:00:00`, endTime: `${to} 23:59:59`, businessHoursOnly: false });
          } catch (error) {
            errors++;
            firstProblem ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          }
        }
      }
      dashboardsMs.push(performance.now() - started);
    }
  } finally {
    await client.close();
  }
  return { dashboardsMs, errors, firstProblem };
}
