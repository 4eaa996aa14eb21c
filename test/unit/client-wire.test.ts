import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { testClientConfig } from '../fixtures/client-config.js';
import { createOpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { VECTOR_4 } from '../fixtures/signature-vectors.js';

/** What the client puts on the wire, byte for byte, through an injected undici MockAgent. */
const ORIGIN = 'https://openapi.opretail.test';
const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

function capture() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const seen: Array<{ body: string; headers: Record<string, string> }> = [];
  agent
    .get(ORIGIN)
    .intercept({ path: '/cloud.api', method: 'POST' })
    .reply(200, (options) => {
      seen.push({ body: String(options.body), headers: options.headers as Record<string, string> });
      return { stat: { cid: 'c-1', code: 0, codename: 'SUCCESS', systime: Date.UTC(2026, 4, 10, 4, 0, 0) }, result: 'ok', data: { passengerFlow: 113, passPassengerFlow: 1275, outsidePassengerFlow: 1388, inShopRate: 8.14, outFlowCount: 195, shopId: '' } };
    })
    .persist();
  return { agent, seen };
}

describe('the request on the wire', () => {
  it('reproduces the upstream doc’s vector 4 exactly (md5, Beijing 12:00, no nonce)', async () => {
    const { agent, seen } = capture();
    const client = createOpretailClient(testClientConfig({
      baseUrl: `${ORIGIN}/cloud.api`,
      appKey: 'test',
      appSecret: 'test',
      nonce: false,
      now: () => Date.UTC(2026, 4, 10, 4, 0, 0), // 12:00:00 in Beijing
      dispatcher: agent,
    }));
    const figures = await createPassengerFlowApi(client).getPassengerIndicatorData({
      depId: '174679',
      startTime: '2026-05-10 00:00:00',
      endTime: '2026-05-10 23:59:59',
      businessHoursOnly: false,
    });
    expect(figures).toMatchObject({ inflow: 113, passBy: 1275, outsideFlow: 1388, inShopRate: 8.14, outflow: 195 });
    expect(seen).toHaveLength(1);
    const sent = Object.fromEntries(new URLSearchParams(seen[0]!.body));
    expect(sent).toEqual({ ...VECTOR_4.params, _sig: VECTOR_4.sig });
    // Form encoding: spaces as '+', colons escaped, UTF-8.
    expect(seen[0]!.body).toContain('startTime=2026-05-10+00%3A00%3A00');
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=UTF-8');
    expect(seen[0]!.headers.authenticator).toBeUndefined();
  });

  it('sends a fresh nonce per call, the configured aid and sign method, and the static token', async () => {
    const { agent, seen } = capture();
    const client = createOpretailClient(testClientConfig({
      baseUrl: `${ORIGIN}/cloud.api`,
      appKey: 'k',
      appSecret: 's',
      aid: 'A-1',
      signMethod: 'sha1',
      auth: { kind: 'token', token: 'token-1' },
      dispatcher: agent,
    }));
    await client.call('open.x', { a: 1, flag: true, skipped: undefined });
    await client.call('open.x', { a: 1, flag: true, skipped: undefined });
    const [first, second] = seen.map((s) => Object.fromEntries(new URLSearchParams(s.body)));
    expect(first).toMatchObject({ _aid: 'A-1', _sm: 'sha1', a: '1', flag: '1' });
    expect(first).not.toHaveProperty('skipped');
    expect(first!._sig).toMatch(/^[0-9A-F]{40}$/);
    expect(first!._nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!._nonce).not.toBe(first!._nonce);
    expect(seen[0]!.headers.authenticator).toBe('token-1');
  });

  it('refuses a business parameter that would shadow a public one', async () => {
    const { agent } = capture();
    const client = createOpretailClient(testClientConfig({ baseUrl: `${ORIGIN}/cloud.api`, appKey: 'k', appSecret: 's', dispatcher: agent }));
    await expect(client.call('open.x', { _akey: 'other' })).rejects.toThrow('business parameter "_akey" would shadow a public one');
  });
});
