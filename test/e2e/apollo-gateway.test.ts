import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type * as ApolloComposition from '@apollo/composition';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLObjectType, parse, validate, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPARTMENTS_METHOD, EMULATOR_DIRECTORY, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { postGraphQL, startProcess, stopAll } from './processes.js';

/**
 * The same supergraph as federation.test.ts, routed by a second router: Apollo's JavaScript gateway, composing
 * with `IntrospectAndCompose` (each subgraph's `_service { sdl }`) in-process. Beside it a "stores" subgraph
 * declares `Store.id: ID!`; this subgraph must agree exactly, or Apollo composition merges the two types into a
 * nullable `ID` with an INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE hint.
 */
const STORES_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Store @key(fields: "id") {
    id: ID!
    manager: String
  }

  type Query {
    topStores: [Store!]!
  }
`;
const STORE_MANAGERS: Record<string, string> = { '174679': 'Wang Fang', '174680': 'Li Na', '174681': 'Zhang Wei' };
/** Names come from this subgraph's store directory (the emulator's getDepartments). */
const directoryName = (id: string) => EMULATOR_DIRECTORY.find((store) => String(store.id) === id)!.name;
/** topStores repeats one store: the router must still cause one upstream call per distinct store. */
const TOP_STORES = ['174679', '174680', '174681', '174679'];
const SECRET = 'apollo-gateway-secret';

/**
 * IntrospectAndCompose calls `composeServices` from @apollo/composition and drops its hints. Load the gateway's own
 * copy of that function, so the hints the test reads come from the composition the gateway runs (the test also
 * checks that both produce the same supergraph).
 */
const requireFromGateway = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
const { composeServices } = requireFromGateway('@apollo/composition') as typeof ApolloComposition;

type Executor = ApolloGateway['executor'];
type RequestContext = Parameters<Executor>[0];
type Result = Awaited<ReturnType<Executor>>;

let emulator: Emulator;
let storesServer: Server;
let gateway: ApolloGateway;
let executor: Executor;
let apiSchema: GraphQLSchema;
let coreSupergraphSdl = '';
let subgraphUrl: string;
let storesUrl: string;
/** Requests the router sent to each subgraph, by subgraph name (composition's introspection included). */
const subgraphRequests = new Map<string, number>();
/** Anything the gateway logged at warn or error level. */
const logged: string[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
}

/** What Apollo Server does with the gateway's executor: parse, validate against the API schema, execute. */
async function route(query: string, variables?: Record<string, unknown>): Promise<Result> {
  const document = parse(query);
  const validationErrors = validate(apiSchema, document);
  if (validationErrors.length > 0) return { errors: validationErrors };
  const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
  if (!operation) throw new Error('no operation in the query');
  const requestContext = {
    request: { query, variables, operationName: operation.name?.value },
    logger: console,
    schema: apiSchema,
    context: {},
    queryHash: query,
    document,
    source: query,
    operationName: operation.name?.value ?? null,
    operation,
    metrics: {},
    overallCachePolicy: undefined,
  } as unknown as RequestContext;
  return executor(requestContext);
}

function fieldType(schema: GraphQLSchema, typeName: string, fieldName: string): string {
  const type = schema.getType(typeName);
  if (!(type instanceof GraphQLObjectType)) throw new Error(`${typeName} is not an object type`);
  return String(type.getFields()[fieldName]?.type);
}

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'apollo-key', secret: SECRET }] });
  const subgraph = await startProcess(
    'node',
    ['dist/server.js'],
    { HOST: '127.0.0.1', PORT: '0', OPRETAIL_BASE_URL: emulator.url, OPRETAIL_APP_KEY: 'apollo-key', OPRETAIL_APP_SECRET: SECRET, GATEWAY_ALLOW_ANONYMOUS: 'true' },
    /listening on (http:\/\/\S+\/graphql)/,
  );
  subgraphUrl = subgraph.match[1]!;

  const storesSchema = buildSubgraphSchema({
    typeDefs: parse(STORES_SDL),
    resolvers: {
      Query: { topStores: () => TOP_STORES.map((id) => ({ id })) },
      Store: {
        manager: (store: { id: string }) => STORE_MANAGERS[store.id] ?? 'nobody',
        __resolveReference: (store: { id: string }) => ({ id: store.id }),
      },
    },
  });
  storesServer = createServer(createYoga({ schema: storesSchema, logging: false }));
  storesUrl = await listen(storesServer);

  const logger = {
    debug: () => {},
    info: () => {},
    warn: (message: unknown) => void logged.push(`warn: ${String(message)}`),
    error: (message: unknown) => void logged.push(`error: ${String(message)}`),
  };
  gateway = new ApolloGateway({
    logger,
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: 'passenger-flow', url: subgraphUrl },
        { name: 'stores', url: storesUrl },
      ],
      logger,
    }),
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest: () => void subgraphRequests.set(name, (subgraphRequests.get(name) ?? 0) + 1),
      }),
  });
  gateway.onSchemaLoadOrUpdate((update) => (coreSupergraphSdl = update.coreSupergraphSdl));
  // A composition error rejects here and fails every test.
  ({ schema: apiSchema, executor } = await gateway.load());
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await stopAll();
  if (storesServer) {
    // The gateway's fetcher keeps connections alive; close() alone would wait for them to time out.
    storesServer.closeAllConnections();
    await new Promise((resolve) => storesServer.close(resolve));
  }
  await emulator?.close();
});

describe('Apollo Gateway (IntrospectAndCompose) supergraph: stores subgraph + this subgraph', () => {
  it('composes with no hint about Store.id, which stays ID!', async () => {
    expect(logged).toEqual([]);

    // The composition IntrospectAndCompose ran, re-run on the same SDLs to see the hints it dropped.
    const sdlOf = async (url: string) => ((await postGraphQL(url, '{ _service { sdl } }')).data!._service as { sdl: string }).sdl;
    const composed = composeServices([
      { name: 'passenger-flow', url: subgraphUrl, typeDefs: parse(await sdlOf(subgraphUrl)) },
      { name: 'stores', url: storesUrl, typeDefs: parse(await sdlOf(storesUrl)) },
    ]);
    expect(composed.errors).toBeUndefined();
    expect(composed.supergraphSdl).toBe(coreSupergraphSdl);
    const fieldTypeHints = composed.hints!.filter((hint) => hint.definition.code === 'INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE').map(String);
    expect(fieldTypeHints).toEqual([]);
    expect(fieldType(apiSchema, 'Store', 'id')).toBe('ID!');
  });

  it('merges managers, directory names and indicators: one fetch per subgraph, upstream calls = distinct stores + 1 directory call', async () => {
    emulator.resetCalls();
    subgraphRequests.clear();
    const result = await route(`{
      topStores { id manager name passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow inShopRate } }
    }`);
    expect(result.errors).toBeUndefined();
    const top = result.data!.topStores as Array<{ id: string; manager: string; name: string; passengerIndicator: { inflow: number; inShopRate: number } }>;
    expect(top.map((s) => [s.id, s.manager, s.name])).toEqual(TOP_STORES.map((id) => [id, STORE_MANAGERS[id], directoryName(id)]));
    expect(Object.fromEntries(subgraphRequests)).toEqual({ stores: 1, 'passenger-flow': 1 });
    expect(emulator.callCount({ method: DEPARTMENTS_METHOD })).toBe(1);
    expect(emulator.callCount()).toBe(4);

    // The same figures the subgraph answers directly.
    const direct = await postGraphQL(subgraphUrl, `{ stores(ids: ${JSON.stringify(TOP_STORES)}) { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow inShopRate } } }`);
    expect(top.map((s) => s.passengerIndicator)).toEqual((direct.data!.stores as Array<{ passengerIndicator: unknown }>).map((s) => s.passengerIndicator));
  });

  it('passes the subgraph’s BAD_USER_INPUT for an impossible date variable through the router', async () => {
    emulator.resetCalls();
    // The router knows LocalDate only as a custom scalar, so the subgraph is the one to reject 2026-02-30.
    const result = await route(
      `query Window($d: LocalDate!) { topStores { manager passengerIndicator(from: $d, to: $d) { inflow } } }`,
      { d: '2026-02-30' },
    );
    expect(result.errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName])).toEqual([['BAD_USER_INPUT', 'passenger-flow']]);
    const top = result.data!.topStores as Array<{ manager: string; passengerIndicator: unknown }>;
    expect(top.map((s) => [s.manager, s.passengerIndicator])).toEqual(TOP_STORES.map((id) => [STORE_MANAGERS[id], null]));
    expect(emulator.callCount()).toBe(0);
  });
});
