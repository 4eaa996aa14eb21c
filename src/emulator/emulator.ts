import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallLog, type CallFilter, type EmulatorCall } from './call-log.js';
import { assertLatencyMs, resolveEmulatorOptions, type StartEmulatorOptions } from './emulator-options.js';
import { createFaultInjector, type Fault } from './faults.js';
import { reject } from './rejection.js';
import { createRequestPipeline } from './request-pipeline.js';
import { createResponder } from './responder.js';
import { createEnvelope, JSON_CONTENT_TYPE } from './responses.js';
import { createTokenStore } from './token-store.js';

/**
 * A strict stand-in for the opretail open-platform gateway: the upstream of every test and of demo mode.
 *
 * It is as strict as the real platform (strict decoding, every public-parameter check in the platform's
 * order, its own signature verification, Beijing-time timestamps, replay detection, method grants, token
 * mode), answers with deterministic synthetic data, and injects faults on demand. It never logs, and never
 * echoes a secret or a signature.
 */

export interface Emulator {
  /** The API endpoint, e.g. `http://127.0.0.1:PORT/cloud.api`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly calls: readonly EmulatorCall[];
  /** Calls matching every given field (all calls without a filter). */
  callCount(filter?: CallFilter): number;
  resetCalls(): void;
  setFaults(faults: Fault[]): void;
  setLatency(ms: number): void;
  /** Invalidates every token issued by mobileLogin. */
  revokeTokens(): void;
  /** Stops listening and ends hanging requests and open sockets. */
  close(): Promise<void>;
}

/** Starts the emulator on `host:port` (default 127.0.0.1, an ephemeral port). */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const settings = resolveEmulatorOptions(options);
  const { host, port } = settings;
  const faults = createFaultInjector(settings.faults, settings.seed);
  const tokens = createTokenStore();
  const callLog = createCallLog(settings.callLogLimit);
  const now = (): number => Date.now() + settings.clockOffsetMs;
  const responder = createResponder({ latencyMs: settings.latencyMs, now });
  const pipeline = createRequestPipeline({
    keys: settings.keys,
    timestampWindowSeconds: settings.timestampWindowSeconds,
    now,
    requireToken: settings.requireToken,
    methodContext: { businessHours: settings.businessHours, now, numberStyle: settings.numberStyle, users: settings.users, tokens },
    faults,
    callLog,
    responder,
  });
  let closing: Promise<void> | null = null;

  const server = createServer((req, res) => {
    pipeline.handle(req, res).catch(() => {
      // An emulator bug must still look like the platform: UNKNOWN_ERROR, never a stack trace.
      if (res.headersSent || res.destroyed) return;
      const { code, codename, result } = reject('UNKNOWN_ERROR');
      const text = JSON.stringify(createEnvelope(code, codename, result, null, now()));
      res.writeHead(200, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url: `${origin}/cloud.api`,
    origin,
    get calls() {
      return callLog.calls;
    },
    callCount(filter) {
      return callLog.count(filter);
    },
    resetCalls() {
      callLog.reset();
    },
    setFaults(next) {
      faults.set(next);
    },
    setLatency(ms) {
      assertLatencyMs(ms);
      responder.setLatency(ms);
    },
    revokeTokens() {
      tokens.revokeAll();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        responder.shutdown();
        server.close(() => resolve());
        // Keep-alive and mid-latency sockets would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
