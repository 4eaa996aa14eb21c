import { GraphQLError, Kind } from 'graphql';
import { useApolloInlineTrace } from '@graphql-yoga/plugin-apollo-inline-trace';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GatewayConfig } from './config.js';
import { createContext, type ContextDeps, type GatewayContext } from './context.js';
import { isRetryable } from './error-codes.js';
import { silentLogger, type Logger } from './logger.js';
import { toPublicError } from './public-errors.js';
import { schema } from './schema/index.js';
import type { PassengerFlowApi } from './upstream/passenger-flow.js';

export interface GatewayYogaOptions {
  passengerFlow: PassengerFlowApi;
  config: ContextDeps['config'];
  logger?: Logger;
  /** How GraphiQL is served to browsers. @default 'inline' */
  graphiql?: GatewayConfig['graphiql'];
}

export const GRAPHQL_PATH = '/graphql';

/** Preloaded in GraphiQL: something that works on the demo emulator right away. */
export const EXAMPLE_QUERY = `# Passenger flow of one store: a week's total and its days.
# In demo mode every store id works; try a few.
query StoreWeek {
  store(id: "174679") {
    id
    week: passengerIndicator(from: "2026-05-04", to: "2026-05-10") {
      inflow
      passBy
      outsideFlow
      inShopRate
      outflow
    }
    days: dailyPassengerIndicators(from: "2026-05-04", to: "2026-05-10", businessHoursOnly: true) {
      from
      inflow
      inShopRate
    }
  }
}
`;

/**
 * An invalid literal for a custom scalar (e.g. `from: "2026-02-30"`) fails validation; it is bad user input,
 * like the same value sent as a variable, so it gets the same code. The errors are replaced, not mutated.
 */
function useScalarInputErrors(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (valid) return;
        setResult(
          result.map((error) => {
            const code = isBadValue(error) ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED';
            return new GraphQLError(error.message, {
              nodes: error.nodes ?? null,
              source: error.source ?? null,
              positions: error.positions ?? null,
              path: error.path ?? null,
              extensions: { ...error.extensions, code, retryable: isRetryable(code) },
            });
          }),
        );
      };
    },
  };
}

/** A literal argument value the schema refuses (a scalar's parse failure, a wrong-typed literal). */
function isBadValue(error: GraphQLError): boolean {
  return Boolean(error.originalError) || (error.nodes ?? []).some((node) => VALUE_KINDS.has(node.kind));
}

const VALUE_KINDS = new Set<string>([Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

export function createGatewayYoga(options: GatewayYogaOptions): YogaServerInstance<Record<string, never>, GatewayContext> {
  const logger = options.logger ?? silentLogger;
  let inlineGraphiQL: string | undefined;
  // yoga logs every error it returns at error level; intended GraphQL errors (bad input, upstream codes
  // already in the response) are routine, so they go to debug and only unexpected failures stay errors.
  const yogaLogger: Logger = {
    ...logger,
    error: (...args: unknown[]) => (args.every((arg) => !(arg instanceof GraphQLError)) ? logger.error(...args) : logger.debug(...args)),
  };
  return createYoga<Record<string, never>, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    logging: yogaLogger,
    context: ({ request }) => createContext(options, request.signal),
    graphiql: options.graphiql === 'off' ? false : { title: 'Passenger Flow Gateway', defaultQuery: EXAMPLE_QUERY },
    // 'inline': GraphiQL's assets come from npm inside the page (rendered once), not from a CDN, so it works
    // on networks that cannot reach unpkg.com; 'cdn' keeps yoga's small page that loads them from unpkg.
    ...(options.graphiql === 'cdn' ? {} : { renderGraphiQL: (graphiqlOptions) => (inlineGraphiQL ??= renderGraphiQL(graphiqlOptions)) }),
    plugins: [
      useScalarInputErrors(),
      // Federated tracing: `ftv1` inline traces when a router sends `apollo-federation-include-trace: ftv1`.
      // Errors in a trace get the same public face as in the response, so nothing masked leaks through it.
      useApolloInlineTrace({ rewriteError: (error) => toPublicError(error).error }),
    ],
    maskedErrors: {
      maskError(error) {
        if (error instanceof GraphQLError) {
          const visible = toPublicError(error);
          if (visible.unexpected) logger.error('unexpected resolver error', error.originalError ?? error);
          return visible.error;
        }
        logger.error('unexpected error', error);
        return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: false } });
      },
    },
  });
}
