import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPARTMENTS_METHOD, EMULATOR_DIRECTORY, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { freePort, postGraphQL, startProcess, stopAll } from './processes.js';

/**
 * A real supergraph on loopback: this gateway as a subgraph (the built server, on an emulator), a small
 * "stores" subgraph owning `Store { id manager }`, composed with @theguild/federation-composition and served by
 * Hive Gateway's own CLI. Store names come from this gateway's directory (the emulator's getDepartments).
 */
const STORE_MANAGERS: Record<string, string> = { '174679': 'Wang Fang', '174680': 'Li Na', '174681': 'Zhang Wei' };
const directoryName = (id: string) => EMULATOR_DIRECTORY.find((store) => String(store.id) === id)!.name;
/** topStores repeats one store: the router must still cause one upstream call per distinct store. */
const TOP_STORES = ['174679', '174680', '174681', '174679'];
const SECRET = 'supergraph-secret';

let emulator: Emulator;
let storesServer: Server;
let gatewayUrl: string;
let subgraphUrl: string;
let subgraphSdl: string;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
}

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'fed-key', secret: SECRET }] });
  const subgraph = await startProcess(
    'node',
    ['dist/server.js'],
    { HOST: '127.0.0.1', PORT: '0', OPRETAIL_BASE_URL: emulator.url, OPRETAIL_APP_KEY: 'fed-key', OPRETAIL_APP_SECRET: SECRET, GATEWAY_ALLOW_ANONYMOUS: 'true' },
    /listening on (http:\/\/\S+\/graphql)/,
  );
  subgraphUrl = subgraph.match[1]!;

  const storesSdl = readFileSync(new URL('../../federation/stores.graphql', import.meta.url), 'utf8');
  const storesSchema = buildSubgraphSchema({
    typeDefs: parse(storesSdl),
    resolvers: {
      Query: { topStores: () => TOP_STORES.map((id) => ({ id })) },
      Store: {
        manager: (store: { id: string }) => STORE_MANAGERS[store.id] ?? 'nobody',
        __resolveReference: (store: { id: string }) => ({ id: store.id }),
      },
    },
  });
  storesServer = createServer(createYoga({ schema: storesSchema, logging: false }));
  const storesUrl = await listen(storesServer);

  // Like `rover supergraph compose`: each subgraph's SDL from `_service { sdl }`.
  const service = await postGraphQL(subgraphUrl, '{ _service { sdl } }');
  subgraphSdl = (service.data!._service as { sdl: string }).sdl;
  const composed = composeServices([
    { name: 'passenger-flow', typeDefs: parse(subgraphSdl), url: subgraphUrl },
    { name: 'stores', typeDefs: parse(storesSdl), url: storesUrl },
  ]);
  if (composed.errors) throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join('\n')}`);
  const supergraphFile = join(mkdtempSync(join(tmpdir(), 'supergraph-')), 'supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);

  const port = await freePort();
  await startProcess(
    'node_modules/.bin/hive-gateway',
    ['supergraph', supergraphFile, '--host', '127.0.0.1', '--port', String(port)],
    { NODE_ENV: 'production' },
    /listening|serving|started/i,
  );
  gatewayUrl = `http://127.0.0.1:${port}/graphql`;
}, 120_000);

afterAll(async () => {
  await stopAll();
  if (storesServer) await new Promise((resolve) => storesServer!.close(resolve));
  await emulator?.close();
});

describe('Hive Gateway supergraph: stores subgraph + this subgraph', () => {
  it('the subgraph SDL keys Store by id and links federation v2', () => {
    expect(subgraphSdl).toMatch(/type Store\s+@key\(fields: "id"\)/);
    expect(subgraphSdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
  });

  it('merges managers with names (from the directory) and indicators; upstream calls = distinct stores + 1 directory call', async () => {
    emulator.resetCalls();
    const body = await postGraphQL(gatewayUrl, `{
      topStores { id manager name region passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow inShopRate } }
    }`);
    expect(body.errors).toBeUndefined();
    const top = body.data!.topStores as Array<{ id: string; manager: string; name: string; region: string; passengerIndicator: { inflow: number; inShopRate: number } }>;
    expect(top.map((s) => [s.id, s.manager, s.name])).toEqual(TOP_STORES.map((id) => [id, STORE_MANAGERS[id], directoryName(id)]));
    expect(top[0]!.name).toBe('上海万达广场店');
    expect(top[0]!.region).toBe('华东区');
    expect(emulator.callCount({ method: DEPARTMENTS_METHOD })).toBe(1);
    expect(emulator.callCount()).toBe(4);

    // The same figures the subgraph answers directly.
    const direct = await postGraphQL(subgraphUrl, `{ stores(ids: ${JSON.stringify(TOP_STORES)}) { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow inShopRate } } }`);
    expect(top.map((s) => s.passengerIndicator)).toEqual((direct.data!.stores as Array<{ passengerIndicator: unknown }>).map((s) => s.passengerIndicator));
  });

  it('passes a typed upstream error through the router', async () => {
    emulator.setFaults([{ kind: 'code', code: 3, depId: '174680' }]);
    try {
      const body = await postGraphQL(gatewayUrl, `{ topStores { manager passengerIndicator(from: "2026-05-09", to: "2026-05-09") { inflow } } }`);
      const top = body.data!.topStores as Array<{ manager: string; passengerIndicator: unknown }>;
      expect(top[1]!.passengerIndicator).toBeNull();
      expect(top[0]!.passengerIndicator).not.toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('KEY_HAS_EXPIRED');
    } finally {
      emulator.setFaults([]);
    }
  });
});
