import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startRedis, type TestRedis } from '../fixtures/redis-server.js';
import { postGraphQL as post, startProcess as start, stopAll, type Started } from './processes.js';

/**
 * Two built gateway processes (see global-setup.ts) in upstream mode against one in-process emulator, sharing
 * one private Redis: one deployment of two instances. Every test counts the calls the emulator received.
 */

const SECRET = 'cache-e2e-secret';

/** `yyyy-MM-dd` in the platform's zone, `days` from today: a week ago is settled, today is open. */
const platformDay = (days: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now() + days * 86_400_000);
const SETTLED_DAY = platformDay(-7);
const OPEN_DAY = platformDay(0);

let emulator: Emulator;
let redis: TestRedis;
const instances: Array<{ url: string; server: Started }> = [];

beforeAll(async () => {
  [emulator, redis] = await Promise.all([startEmulator({ keys: [{ key: 'cache-e2e', secret: SECRET }] }), startRedis()]);
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    OPRETAIL_BASE_URL: emulator.url,
    OPRETAIL_APP_KEY: 'cache-e2e',
    OPRETAIL_APP_SECRET: SECRET,
    GATEWAY_ALLOW_ANONYMOUS: 'true',
    GATEWAY_API_KEYS_FILE: undefined,
    GATEWAY_CACHE: undefined,
    REDIS_URL: redis.url,
  };
  const servers = await Promise.all([0, 1].map(() => start('node', ['dist/server.js'], env, /listening on (http:\/\/\S+\/graphql)/)));
  for (const server of servers) instances.push({ url: server.match[1]!, server });
});
afterAll(async () => {
  // The gateways first: they would only log Redis going away.
  await stopAll();
  await Promise.all([emulator?.close(), redis?.stop()]);
});
beforeEach(() => emulator.resetCalls());

describe('two gateway processes on one Redis', () => {
  it('never log the Redis URL (it may carry a password)', () => {
    for (const { server } of instances) expect(server.output()).not.toContain(redis.url);
  });

  it('the second makes 0 upstream calls for the keys the first fetched', async () => {
    const document = `query Dashboard($ids: [ID!]!) {
      stores(ids: $ids) {
        id
        settled: passengerIndicator(from: "${SETTLED_DAY}", to: "${SETTLED_DAY}") { inflow fetchedAt }
        today: passengerIndicator(from: "${OPEN_DAY}", to: "${OPEN_DAY}") { inflow fetchedAt }
      }
    }`;
    const variables = { ids: ['310001', '310002', '310003'] };
    const [first, second] = instances;
    const fetched = await post(first!.url, document, variables);
    expect(fetched.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(6);
    const shared = await post(second!.url, document, variables);
    expect(emulator.callCount()).toBe(6);
    // The same answers, down to when the vendor gave them.
    expect(shared).toEqual(fetched);
  });

  it('100 concurrent identical cold requests against one process → exactly 1 upstream call', async () => {
    const document = `{ store(id: "310010") { passengerIndicator(from: "${SETTLED_DAY}", to: "${SETTLED_DAY}") { inflow fetchedAt } } }`;
    const bodies = await Promise.all(Array.from({ length: 100 }, () => post(instances[0]!.url, document)));
    expect(emulator.callCount()).toBe(1);
    for (const body of bodies) {
      expect(body.errors).toBeUndefined();
      expect(body).toEqual(bodies[0]);
    }
  });
});
