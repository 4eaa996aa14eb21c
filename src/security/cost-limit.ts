import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../public-errors.js';
import { estimateUpstreamCalls, type CostRules } from './query-cost.js';

/** `extensions.cost` of every executed answer: the upper bound of upstream calls and the caller's limit. */
export interface CostExtension {
  estimated: number;
  limit: number;
}

export interface CostLimitOptions<Context> {
  rules: CostRules;
  /** The caller's limit: GATEWAY_MAX_UPSTREAM_CALLS, or the key's lower `maxUpstreamCalls`. */
  limitOf(context: Context): number;
  /**
   * Called once when an estimate is over the limit: a chance to learn what the rules had to guess (the store
   * directory's size before this process has fetched it). Resolves true when the estimate should be made again.
   */
  learn?(context: Context): boolean | Promise<boolean>;
}

/**
 * Refuses, before execution and with 0 upstream calls, an operation whose upper bound of upstream calls (from
 * the document, its variables, fragments and aliases) exceeds the caller's limit; every executed answer carries
 * `extensions.cost = { estimated, limit }` so a frontend developer sees what a query costs.
 */
export function useCostLimit<Context extends object>(options: CostLimitOptions<Context>): Plugin<Context> {
  type ExecuteHook = NonNullable<Plugin<Context>['onExecute']>;
  type ExecutePayload = Parameters<ExecuteHook>[0];
  const decide = (stop: ExecutePayload['setResultAndStopExecution'], estimated: number, limit: number): Awaited<ReturnType<ExecuteHook>> => {
    const cost: CostExtension = { estimated, limit };
    if (estimated > limit) {
      stop({
        errors: [
          gatewayError(
            'QUERY_TOO_COMPLEX',
            `This query may cause up to ${estimated} upstream calls; the limit is ${limit}. Ask for fewer stores or days, or split it.`,
          ),
        ],
        extensions: { cost },
      });
      return;
    }
    return {
      onExecuteDone({ result, setResult }) {
        if (!('errors' in result || 'data' in result)) return; // a stream: nothing of ours
        setResult({ ...result, extensions: { ...result.extensions, cost } });
      },
    };
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const limit = options.limitOf(args.contextValue);
      const estimate = () =>
        estimateUpstreamCalls(args.document, {
          variables: (args.variableValues ?? null) as Record<string, unknown> | null,
          operationName: args.operationName ?? null,
          rules: options.rules,
        });
      const estimated = estimate();
      // Synchronous (no promise per request) unless the estimate is over the limit and the rules may learn what
      // they had to guess.
      if (estimated <= limit || !options.learn) return decide(setResultAndStopExecution, estimated, limit);
      return Promise.resolve(options.learn(args.contextValue)).then((learned) => decide(setResultAndStopExecution, learned ? estimate() : estimated, limit));
    },
  };
}
