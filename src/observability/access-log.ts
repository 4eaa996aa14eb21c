import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

/** What one GraphQL request did, as the access line and the metrics tell it. */
export interface AccessRecord {
  requestId: string;
  startedAt: number;
  operation: string;
  keyName: string | null;
  upstreamCalls: number;
  cacheHits: number;
  errorCodes: string[];
}

export interface AccessLogOptions<Context> {
  logger: Pick<Logger, 'info'>;
  /** The request's facts, read once its execution is done. */
  factsOf(context: Context): { upstreamCalls: number; cacheHits: number };
  /** The client key's name (never the key), known once the front door let the request in. */
  keyNameOf(request: Request): string | null;
  /** Told about every answered GraphQL request (metrics). */
  onAnswered?(record: AccessRecord, status: number, seconds: number): void;
}

/** A caller's `x-request-id` is kept when it is sane (an id, not a payload); else the gateway makes one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const records = new WeakMap<Request, AccessRecord>();

/** The request id of a request (for error logs and spans). */
export function requestIdOf(request: Request): string | undefined {
  return records.get(request)?.requestId;
}

/**
 * One access line per GraphQL request at `info` — request id, operation, the client key's name (never the key),
 * HTTP status, duration, upstream calls, cache hits, error codes — and the `x-request-id` echoed on the answer.
 */
export function useAccessLog<Context extends object>(options: AccessLogOptions<Context>): Plugin<Context> {
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      records.set(request, {
        requestId: given !== null && SANE_REQUEST_ID.test(given) ? given : randomUUID(),
        startedAt: performance.now(),
        operation: 'anonymous',
        keyName: null,
        upstreamCalls: 0,
        cacheHits: 0,
        errorCodes: [],
      });
    },
    onExecute({ args }) {
      return {
        onExecuteDone() {
          const record = records.get((args.contextValue as { request?: Request }).request!);
          if (!record) return;
          record.operation = args.operationName ?? operationNameOf(args.document) ?? 'anonymous';
          const facts = options.factsOf(args.contextValue);
          record.upstreamCalls = facts.upstreamCalls;
          record.cacheHits = facts.cacheHits;
        },
      };
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      // The result as the caller gets it: errors masked, so their codes are the public ones.
      if (!record || Array.isArray(result) || !('errors' in result) || !result.errors) return;
      record.errorCodes = codesOf(result.errors);
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      response.headers.set('x-request-id', record.requestId);
      const url = new URL(request.url);
      if (request.method === 'OPTIONS' || (response.headers.get('content-type') ?? '').startsWith('text/html')) return;
      const seconds = (performance.now() - record.startedAt) / 1000;
      record.keyName = options.keyNameOf(request);
      // Refused at the front door (no GraphQL result): the status says which code the body carries.
      if (record.errorCodes.length === 0 && response.status >= 400) record.errorCodes = [codeOfStatus(response.status)];
      options.logger.info('graphql request', {
        requestId: record.requestId,
        method: request.method,
        path: url.pathname,
        operation: record.operation,
        client: record.keyName,
        status: response.status,
        ms: Math.round(seconds * 10_000) / 10,
        upstreamCalls: record.upstreamCalls,
        cacheHits: record.cacheHits,
        errors: record.errorCodes,
      });
      options.onAnswered?.(record, response.status, seconds);
    },
  };
}

/** The code of a refusal answered before GraphQL ran (request gate, yoga's method check). */
function codeOfStatus(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  return status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
}

function codesOf(errors: readonly { extensions?: Record<string, unknown> }[]): string[] {
  return [...new Set(errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
}

function operationNameOf(document: unknown): string | undefined {
  const definitions = (document as { definitions?: Array<{ kind: string; name?: { value: string } }> } | undefined)?.definitions ?? [];
  const operations = definitions.filter((definition) => definition.kind === 'OperationDefinition');
  return operations.length === 1 ? operations[0]!.name?.value : undefined;
}
