import { getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
// Types only: every OpenTelemetry module is loaded by `startTracing`, so a gateway without tracing loads none.
import type { Attributes, Context, Span, SpanKind, TextMapGetter } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { toPublicError } from '../public-errors.js';
import { GatewayError, UpstreamError } from '../upstream/errors.js';

/** What `startTracing` needs; `server.ts` reads it from the standard `OTEL_*` variables. */
export interface TracingOptions {
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT: the base URL of an OTLP/HTTP receiver (a collector, Jaeger, Tempo…); spans are
   * POSTed as OTLP/JSON to `<endpoint>/v1/traces`.
   */
  endpoint: string;
  /** OTEL_SERVICE_NAME: the `service.name` of every span. */
  serviceName: string;
  /**
   * Headers sent with every export (e.g. a collector's API key). The exporter also reads OTEL_EXPORTER_OTLP_HEADERS
   * itself; these override it per name.
   */
  headers?: Record<string, string>;
  /**
   * Longest a finished span waits before it is exported (the batch processor's schedule). Tests shorten it.
   * @default 5000 (the SDK's)
   */
  scheduleDelayMs?: number;
  /**
   * Told when exports start failing (once, until one succeeds again), with a short reason that carries no
   * header, so a dead collector is noticed without a log line per batch.
   */
  onExportFailure?: (reason: string) => void;
}

/** What an upstream attempt tells its wrapper: the `instrumentAttempt` option of the upstream client. */
export interface AttemptFacts {
  method: string;
  attempt: number;
  storeId: string | undefined;
}

/** A running tracer: the hooks to hand to yoga, the upstream client and the loaders. */
export interface Tracing {
  /**
   * The yoga plugin: a SERVER span `graphql <operation name | anonymous>` around execution, child of the caller's
   * W3C `traceparent`/`tracestate` when sent, with `graphql.operation.name`, `graphql.operation.type` and the
   * public codes of the result's errors (`graphql.error.codes`). Upstream attempts and loader batches of the
   * operation are its descendants. Put it first in the plugin list, so its span covers the other plugins' work.
   */
  yogaPlugin(): Plugin;
  /**
   * For the upstream client's `instrumentAttempt`: a CLIENT span `opretail <method>` per attempt with
   * `opretail.method`, `opretail.attempt`, `opretail.store_id`, `opretail.outcome` (`SUCCESS` or the failure's
   * public code) and `http.response.status_code` — never parameters, signatures, tokens or bodies.
   */
  instrumentAttempt: <T>(attempt: AttemptFacts, run: () => Promise<T>) => Promise<T>;
  /** For the loaders' `instrumentBatch`: a span `loader batch` with `loader.batch.size`. */
  instrumentBatch: <T>(size: number, run: () => Promise<T>) => Promise<T>;
  /** Exports the spans still buffered, then stops; later spans are dropped. */
  shutdown(): Promise<void>;
}

/** Where OTLP/HTTP traces go for a base endpoint, as the OTLP exporter spec appends it. */
export function otlpTracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`an OTLP/HTTP endpoint is an http(s) URL (got ${url.protocol})`);
  return `${url.href.replace(/\/+$/, '')}/v1/traces`;
}

const HEADERS_GETTER: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Starts an OpenTelemetry tracer that exports to `options.endpoint` over OTLP/HTTP. The SDK is imported here,
 * on demand: importing this module loads no OpenTelemetry code. Context travels with an AsyncLocalStorage
 * context manager of this tracer's own (no global registration, so two tracers in one process, as in tests,
 * never mix their spans).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const url = otlpTracesUrl(options.endpoint);
  const [api, core, resources, sdk, asyncHooks, otlp] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const { trace, SpanKind: Kind, SpanStatusCode, ROOT_CONTEXT } = api;

  const contextManager = new asyncHooks.AsyncLocalStorageContextManager().enable();
  const propagator = new core.W3CTraceContextPropagator();
  // OTEL_RESOURCE_ATTRIBUTES (e.g. deployment.environment) and the SDK's own facts; no host or process
  // detectors: a command line may carry what a span must not.
  const resource = resources
    .defaultResource()
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(resources.resourceFromAttributes({ 'service.name': options.serviceName }));
  const exporter = watchExports(
    new otlp.OTLPTraceExporter({ url, ...(options.headers ? { headers: options.headers } : {}) }),
    core.ExportResultCode.SUCCESS,
    options.onExportFailure,
  );
  const provider = new sdk.TracerProvider({
    resource,
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, ...(options.scheduleDelayMs === undefined ? {} : { scheduledDelayMillis: options.scheduleDelayMs }) })],
  });
  const tracer = provider.getTracer('passenger-flow-gateway');

  /** Runs `run` in a new child span of `parent`; `finish` labels it with the outcome before it ends. */
  async function inSpan<T>(
    name: string,
    kind: SpanKind,
    attributes: Attributes,
    run: () => Promise<T>,
    finish: (span: Span, failure: { error: unknown } | null) => void,
    parent: Context = contextManager.active(),
  ): Promise<T> {
    const span = tracer.startSpan(name, { kind, attributes }, parent);
    try {
      const value = await contextManager.with(trace.setSpan(parent, span), run);
      finish(span, null);
      return value;
    } catch (error) {
      finish(span, { error });
      throw error;
    } finally {
      span.end();
    }
  }

  const fail = (span: Span, code: string) => {
    span.setAttribute('error.type', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  };

  return {
    yogaPlugin() {
      return {
        instrumentation: {
          // Wraps the whole execute phase (other plugins' onExecute hooks and every resolver), so whatever runs
          // in it, loader batches and upstream attempts included, finds the operation span in the context.
          execute({ context }, wrapped) {
            const headers = (context as { request?: Request }).request?.headers;
            const parent = headers ? propagator.extract(ROOT_CONTEXT, headers, HEADERS_GETTER) : ROOT_CONTEXT;
            // Named once the operation is known (onExecute, inside this span).
            return inSpan(
              'graphql anonymous',
              Kind.SERVER,
              {},
              async () => wrapped(),
              (span, failure) => failure && fail(span, 'INTERNAL_SERVER_ERROR'),
              parent,
            );
          },
        },
        onExecute({ args }) {
          const span = trace.getSpan(contextManager.active());
          if (!span) return;
          const operation = getOperationAST(args.document, args.operationName);
          const name = operation?.name?.value;
          span.updateName(`graphql ${name ?? 'anonymous'}`);
          if (name !== undefined) span.setAttribute('graphql.operation.name', name);
          if (operation) span.setAttribute('graphql.operation.type', operation.operation);
          return {
            onExecuteDone({ result }) {
              if (!('errors' in result) || !result.errors?.length) return;
              const codes = [...new Set(result.errors.map(publicCode))].sort();
              span.setAttribute('graphql.error.codes', codes);
              span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(' ') });
            },
          };
        },
      } satisfies Plugin;
    },

    instrumentAttempt(attempt, run) {
      const attributes: Attributes = { 'opretail.method': attempt.method, 'opretail.attempt': attempt.attempt };
      if (attempt.storeId !== undefined) attributes['opretail.store_id'] = attempt.storeId;
      return inSpan(`opretail ${attempt.method}`, Kind.CLIENT, attributes, run, (span, failure) => {
        if (!failure) {
          span.setAttributes({ 'opretail.outcome': 'SUCCESS', 'http.response.status_code': 200 });
          return;
        }
        const code = failure.error instanceof GatewayError ? failure.error.code : 'INTERNAL_SERVER_ERROR';
        span.setAttribute('opretail.outcome', code);
        if (failure.error instanceof UpstreamError && failure.error.httpStatus !== null) span.setAttribute('http.response.status_code', failure.error.httpStatus);
        fail(span, code);
      });
    },

    instrumentBatch(size, run) {
      return inSpan('loader batch', Kind.INTERNAL, { 'loader.batch.size': size }, run, (span, failure) => {
        if (failure) fail(span, failure.error instanceof GatewayError ? failure.error.code : 'INTERNAL_SERVER_ERROR');
      });
    },

    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        contextManager.disable();
      }
    },
  };
}

/** The code a caller sees for this error (the masking policy's), so spans and responses agree. */
function publicCode(error: unknown): string {
  if (!(error instanceof GraphQLError)) return 'INTERNAL_SERVER_ERROR';
  const code = toPublicError(error).error.extensions.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** The exporter, reporting the start of a run of failed exports. */
function watchExports(exporter: SpanExporter, success: number, onFailure: ((reason: string) => void) | undefined): SpanExporter {
  if (!onFailure) return exporter;
  let failing = false;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code === success) failing = false;
        else if (!failing) {
          failing = true;
          onFailure(result.error ? `${result.error.name}: ${result.error.message}`.slice(0, 200) : 'export failed');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
