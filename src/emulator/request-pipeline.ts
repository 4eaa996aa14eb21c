import type { IncomingMessage, ServerResponse } from 'node:http';
import { BUSINESS_CODES } from '../upstream/return-codes.js';
import type { MethodContext } from './business-method.js';
import type { CallLog, EmulatorCall } from './call-log.js';
import { checkPublicParams } from './check-public-params.js';
import { decodeRequestParams, headerValue, splitTarget } from './decode-request.js';
import { faultAnswer, type FaultInjector } from './faults.js';
import type { EmulatorKey } from './keys.js';
import { storeIdsOfIdParam } from './many-shops-method.js';
import { REGISTERED_METHODS } from './methods.js';
import { reject, type Rejection } from './rejection.js';
import { createReplayGuard } from './replay-guard.js';
import type { Answer, Responder } from './responder.js';
import { HTML_CONTENT_TYPE, htmlErrorPage } from './responses.js';

/** The two endpoint paths deployments use. */
const EMULATOR_PATHS: readonly string[] = ['/cloud.api', '/m.api'];

export interface RequestPipelineOptions {
  keys: readonly EmulatorKey[];
  timestampWindowSeconds: number;
  /** The emulator's (possibly skewed) clock, epoch ms. */
  now: () => number;
  requireToken: boolean;
  methodContext: MethodContext;
  faults: FaultInjector;
  callLog: CallLog;
  responder: Responder;
}

export interface RequestPipeline {
  /** Answers one request; rejects only on an emulator bug (the caller still answers UNKNOWN_ERROR). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * One request, in the platform's order: route (path, HTTP method) → decoding → public parameters (presence,
 * formats, key, signature, replay, timestamp, method grant) → injected fault → token → business method.
 * The first step that decides an answer ends the pipeline; the call is recorded as that answer is written.
 */
export function createRequestPipeline(options: RequestPipelineOptions): RequestPipeline {
  const { timestampWindowSeconds, now, requireToken, methodContext, faults, callLog, responder } = options;
  const keys = new Map(options.keys.map((k) => [k.key, k]));
  const replay = createReplayGuard(() => 2 * timestampWindowSeconds * 1000);
  const registeredMethods = [...REGISTERED_METHODS.keys()];

  const decide = async (req: IncomingMessage, call: EmulatorCall, rawQuery: string): Promise<Answer | null> => {
    if (!EMULATOR_PATHS.includes(call.path)) {
      req.resume();
      return { type: 'page', status: 404, contentType: HTML_CONTENT_TYPE, body: () => htmlErrorPage(404, 'Not Found') };
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      req.resume();
      return { type: 'page', status: 405, contentType: HTML_CONTENT_TYPE, body: () => htmlErrorPage(405, 'Method Not Allowed'), headers: { Allow: 'GET, POST' } };
    }

    const decoded = await decodeRequestParams(req, rawQuery);
    if (decoded === null) return null; // the client went away mid-body: nobody to answer
    if (!decoded.ok) return rejected(reject('UNKNOWN_ERROR', `${reject('UNKNOWN_ERROR').result} (${decoded.detail})`));
    const { params } = decoded;
    call.method = params.get('_mt') ?? null;
    call.akey = params.get('_akey') ?? null;
    call.depId = params.get('depId') ?? null;
    call.storeIds = storeIdsOfIdParam(params.get('id'));
    call.startTime = params.get('startTime') ?? null;
    call.endTime = params.get('endTime') ?? null;
    call.isOnBusinessTime = params.get('isOnBusinessTime') ?? null;
    call.pageNumber = params.get('pageNumber') ?? null;

    const checked = checkPublicParams(params, { keys, registeredMethods, now: now(), timestampWindowSeconds, replay });
    if (!checked.ok) return rejected(checked);

    // After authentication on purpose: an injected fault only ever hits a well-signed call.
    const fault = faults.pick({ method: checked.method, depId: call.depId, storeIds: call.storeIds });
    if (fault !== null) {
      call.fault = fault.kind;
      return faultAnswer(fault);
    }

    const method = REGISTERED_METHODS.get(checked.method);
    if (method === undefined) throw new Error(`registered method ${checked.method} has no handler`);
    if (requireToken && method.requiresToken) {
      const { authenticator, ovoAuthorization } = call.headers;
      if (!methodContext.tokens.isValid(authenticator) && !methodContext.tokens.isValid(ovoAuthorization)) {
        const { code, codename } = BUSINESS_CODES.TOKEN_NOT_EXIST;
        return rejected({ code, codename, result: 'Token does not exist or has expired; log in again.' });
      }
    }
    const outcome = method.handle(params, methodContext);
    if (!outcome.ok) return rejected(outcome);
    return { type: 'envelope', code: 0, codename: 'SUCCESS', result: 'success', data: outcome.data };
  };

  return {
    async handle(req, res) {
      const { path, rawQuery } = splitTarget(req.url ?? '/');
      const call = callLog.begin({
        httpMethod: req.method ?? '',
        path,
        headers: { authenticator: headerValue(req, 'authenticator'), ovoAuthorization: headerValue(req, 'ovo-authorization') },
      });
      const answer = await decide(req, call, rawQuery);
      if (answer === null) return;
      if (answer.type === 'envelope') {
        call.code = answer.code;
        call.codename = answer.codename;
      }
      callLog.record(call);
      responder.write(req, res, answer);
    },
  };
}

/** The envelope of a refusal; never any data. */
function rejected(rejection: Rejection): Answer {
  return { type: 'envelope', code: rejection.code, codename: rejection.codename, result: rejection.result, data: null };
}
