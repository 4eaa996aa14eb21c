import { GraphQLError, Kind } from 'graphql';
import { useApolloInlineTrace } from '@graphql-yoga/plugin-apollo-inline-trace';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GatewayConfig } from './config.js';
import { createContext, type ContextConfig, type GatewayContext, type SharedCache } from './context.js';
import { isErrorCode, isRetryable } from './error-codes.js';
import { silentLogger, type Logger } from './logger.js';
import { toPublicError } from './public-errors.js';
import { buildSchema, schema } from './schema/index.js';
import type { ApiKeyRegistry } from './security/api-keys.js';
import { GRAPHIQL_EXAMPLES, useGraphiQLPage } from './graphiql-page.js';
import { useAccessLog, type AccessLogOptions } from './observability/access-log.js';
import { corsPolicy, useSecurityHeaders } from './security/browser-safety.js';
import { useCostLimit } from './security/cost-limit.js';
import type { CostRules } from './security/query-cost.js';
import { useDocumentLimits } from './security/document-limits.js';
import { callerOf, useRequestGate } from './security/request-gate.js';
import type { TrustedDocuments } from './security/trusted-documents.js';
import type { StoreDirectory } from './upstream/directory-loader.js';
import type { HourlyFlowApi } from './upstream/hourly-flow.js';
import type { PassengerFlowApi } from './upstream/passenger-flow.js';

/** The configuration the GraphQL server reads (a validated `GatewayConfig` has all of it). */
export type YogaConfig = ContextConfig &
  Pick<
    GatewayConfig,
    'upstream' | 'graphiql' | 'production' | 'introspection' | 'corsOrigins' | 'maxTokens' | 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'allowAnonymous'
  >;

export interface GatewayYogaOptions {
  passengerFlow: PassengerFlowApi;
  /** The multi-store hourly method (`hourlyPassengerIndicators`). */
  hourlyFlow?: HourlyFlowApi;
  config: YogaConfig;
  /** The answer cache shared by all requests; null or absent: every request asks the vendor. */
  cache?: SharedCache | null;
  /** The store directory shared by all requests (`createStoreDirectory`); absent: its fields fail. */
  storeDirectory?: StoreDirectory | null;
  logger?: Logger;
  /** Client keys (GATEWAY_API_KEYS_FILE); without them the gateway is open, which the config allows only in demo mode or with GATEWAY_ALLOW_ANONYMOUS. */
  apiKeys?: ApiKeyRegistry | null;
  /** Trusted documents (GATEWAY_TRUSTED_DOCUMENTS), by sha-256. */
  trustedDocuments?: TrustedDocuments | null;
  /** Told about every answered GraphQL request (metrics). */
  onAnswered?: AccessLogOptions<GatewayContext>['onAnswered'];
  /** Plugins to run first (tracing: its span covers all the gateway's work). */
  plugins?: Plugin[];
}

export const GRAPHQL_PATH = '/graphql';
/** Where browsers get GraphiQL (a browser's GET /graphql is redirected there, so its cache can revalidate the page). */
export const GRAPHIQL_PATH = '/graphiql';


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
            const given = error.extensions.code;
            const code = isErrorCode(given) ? given : isBadValue(error) ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED';
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

/** The header a federation router sends to ask for an inline trace. */
const TRACE_HEADER = 'apollo-federation-include-trace';

/** The gateway's GraphQL over HTTP: a node:http handler, and the same as a fetch (tests, buffered bodies). */
export interface GatewayHttp {
  handleNode(req: IncomingMessage, res: ServerResponse): void;
  fetch(input: string | URL | Request, init?: RequestInit): Response | Promise<Response>;
}

type GatewayYoga = YogaServerInstance<Record<string, never>, GatewayContext>;

/**
 * Two yogas with the same plugins: one for every ordinary request, and one with ftv1 inline tracing on a schema
 * copy of its own, built at the first request that asks for a trace (`apollo-federation-include-trace: ftv1`).
 * The tracing plugin wraps every field's resolver, leaves included, which costs about a third of the CPU of a
 * large answer even for requests that want no trace; this way only traced requests pay it. Whether a trace is
 * then really sent (production, the key's `traces` flag) is decided in the traced yoga, as before.
 */
export function createGatewayYoga(options: GatewayYogaOptions): GatewayHttp {
  const plain = createOneYoga(options, false);
  let traced: GatewayYoga | undefined;
  const tracedYoga = () => (traced ??= createOneYoga(options, true));
  return {
    handleNode(req, res) {
      void (req.headers[TRACE_HEADER] === 'ftv1' ? tracedYoga() : plain)(req, res);
    },
    fetch(input, init) {
      const request = input instanceof Request ? input : new Request(input, init);
      return (request.headers.get(TRACE_HEADER) === 'ftv1' ? tracedYoga() : plain).fetch(request);
    },
  };
}

function createOneYoga(options: GatewayYogaOptions, inlineTrace: boolean): GatewayYoga {
  const logger = options.logger ?? silentLogger;
  // yoga logs every error it returns at error level; intended GraphQL errors (bad input, upstream codes
  // already in the response) are routine, so they go to debug and only unexpected failures stay errors.
  const yogaLogger: Logger = {
    ...logger,
    error: (...args: unknown[]) => (args.every((arg) => !(arg instanceof GraphQLError)) ? logger.error(...args) : logger.debug(...args)),
  };
  const { config } = options;
  const apiKeys = options.apiKeys ?? null;
  const trustedDocuments = options.trustedDocuments ?? new Map<string, string>();
  const graphiql = config.graphiql !== 'off';
  return createYoga<Record<string, never>, GatewayContext>({
    schema: inlineTrace ? buildSchema() : schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    logging: yogaLogger,
    // Checked before yoga by the HTTP handler (no TransformStream per request); multipart is never served.
    maxRequestBodySize: false,
    multipart: false,
    cors: corsPolicy(config.corsOrigins, config.upstream.mode === 'demo'),
    context: ({ request }) =>
      createContext(options, {
        signal: request.signal,
        caller: callerOf(request),
        noCache: /\bno-cache\b/i.test(request.headers.get('cache-control') ?? ''),
      }),
    // GraphiQL is served by useGraphiQLPage (compressed, with an ETag), not by yoga.
    graphiql: false,
    plugins: [
      ...((options.plugins ?? []) as Plugin<GatewayContext>[]),
      useAccessLog<GatewayContext>({
        logger,
        factsOf: (context) => ({ upstreamCalls: context.upstream.calls, cacheHits: context.counters.cacheHits }),
        keyNameOf: (request) => callerOf(request).key?.name ?? null,
        ...(options.onAnswered ? { onAnswered: options.onAnswered } : {}),
      }),
      useSecurityHeaders({ graphiqlFromCdn: config.graphiql === 'cdn' }),
      ...(config.graphiql === 'off' ? [] : [useGraphiQLPage({ mode: config.graphiql, title: 'Passenger Flow Gateway', tabs: GRAPHIQL_EXAMPLES, path: GRAPHIQL_PATH })]),
      useRequestGate({ keys: apiKeys, requireKey: apiKeys !== null && !config.allowAnonymous, graphiql, logger }),
      usePersistedOperations({
        allowArbitraryOperations: (request) => callerOf(request).key?.trustedDocumentsOnly !== true,
        extractPersistedOperationId: (params) => persistedOperationId(params as Record<string, unknown>),
        getPersistedOperation: (id) => trustedDocuments.get(id.toLowerCase()) ?? null,
        customErrors: {
          notFound: { message: 'PersistedQueryNotFound: no trusted document has this id.', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', retryable: false } },
          keyNotFound: { message: 'Send a `query`, or the `documentId` of a trusted document.', extensions: { code: 'BAD_REQUEST', retryable: false, http: { status: 400 } } },
          persistedQueryOnly: {
            message: 'This client key may run only trusted documents: send a `documentId`, not a `query`.',
            extensions: { code: 'TRUSTED_DOCUMENTS_ONLY', retryable: false },
          },
        },
      }),
      useDocumentLimits(config),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      ...(config.production ? [blockFieldSuggestionsPlugin({ mask: '' })] : []),
      useScalarInputErrors(),
      useStaleReport(),
      useCostLimit<GatewayContext>({
        rules: costRules(config, options.storeDirectory),
        limitOf: (context) => context.maxUpstreamCalls,
        // Before this process has seen the store directory, its size is a bound (OPRETAIL_DIRECTORY_MAX_PAGES ×
        // page size); a query over the limit on that guess fetches the directory (for this request's fields
        // anyway, and cached for all) and is estimated again with the real size.
        learn: (context) => learnDirectorySize(options.storeDirectory, context),
      }),
      // Federated tracing: `ftv1` inline traces when a router sends `apollo-federation-include-trace: ftv1`
      // (outside production anyone may ask; in production only a key with `"traces": true`). Errors in a
      // trace get the same public face as in the response, so nothing masked leaks through it.
      ...(inlineTrace
        ? [
            useApolloInlineTrace({
              ignoreRequest: (request) => request.headers.get(TRACE_HEADER) !== 'ftv1' || (config.production && callerOf(request).key?.traces !== true),
              rewriteError: (error) => toPublicError(error).error,
            }),
          ]
        : []),
      // Last: it sees the result as every other plugin left it.
      useFieldErrorsAsJson(),
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

/** What the cost estimate needs from the config; without the loader every store of an hourly batch is its own call. */
function costRules(config: YogaConfig, directory: StoreDirectory | null | undefined): CostRules {
  return {
    maxDailyDays: config.maxDailyDays,
    maxHourlyDays: config.maxHourlyDays,
    hourlyBatchSize: config.disableLoader ? 1 : config.hourlyBatchSize,
    ...(directory ? { directory: directory.costHints } : {}),
  };
}

/** Fetches the store directory for `context` when its size is not known yet; true when it now is. */
async function learnDirectorySize(directory: StoreDirectory | null | undefined, context: GatewayContext): Promise<boolean> {
  if (!directory || directory.costHints.known()) return false;
  try {
    await context.storeDirectory().get(() => ['storeDirectory']);
    return directory.costHints.known();
  } catch {
    // The directory's fields will carry the fetch's error; the estimate keeps its bound.
    return false;
  }
}

/**
 * `extensions.stale = [{ path, ageSeconds }]`: the fields answered from the cache because the vendor failed, so
 * a client can say so (their `fetchedAt` shows the same age).
 */
function useStaleReport(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          // Nothing of this request is needed any more: let go of what it still waits for.
          args.contextValue.finish();
          const stale = args.contextValue.stale;
          if (stale.length === 0 || !('errors' in result || 'data' in result)) return;
          setResult({ ...result, extensions: { ...result.extensions, stale } });
        },
      };
    },
  };
}

/**
 * Field errors handed to yoga's serializer in their JSON form. yoga serializes an answer by building each of its
 * errors once more (a GraphQLError without `extensions.http`), and every one of those captures a stack trace:
 * with the vendor down, that was 7 % of the CPU of an answer. An execution result (it has `data`) whose errors
 * are all field errors (a path) without `extensions.http` gets them as `toJSON()` gives them, which is what yoga
 * would write, and the HTTP status stays 200 as before. Request errors, whose statuses come from their
 * `extensions.http`, are left to yoga.
 */
function useFieldErrorsAsJson(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !('data' in result) || !result.errors?.length) return;
      for (const error of result.errors) if (!(error instanceof GraphQLError) || error.path === undefined || error.extensions?.http !== undefined) return;
      // The same members, as plain data: yoga passes anything that is no GraphQLError through as it is.
      const errors = result.errors.map((error) => error.toJSON()) as unknown as GraphQLError[];
      setResult({ ...result, errors });
    },
  };
}

/** `{ "documentId": "<sha256>" }` (GraphQL Code Generator's trusted documents) or Apollo's persisted-query extension. */
function persistedOperationId(params: Record<string, unknown>): string | null {
  if (typeof params.documentId === 'string') return params.documentId.replace(/^sha256:/, '');
  const extensions = params.extensions;
  if (typeof extensions !== 'object' || extensions === null) return null;
  const persisted = (extensions as Record<string, unknown>).persistedQuery;
  if (typeof persisted !== 'object' || persisted === null) return null;
  const hash = (persisted as Record<string, unknown>).sha256Hash;
  return typeof hash === 'string' ? hash : null;
}
