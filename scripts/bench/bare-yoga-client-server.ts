/**
 * Bare graphql-yoga with the gateway's signed client (limit-client.ts): a minimal schema for what
 * ONE_STORE_DAY_QUERY selects — `store(id) { id passengerIndicator(from, to) { …figures } }` — whose resolver
 * makes the call directly (no loader, cache, context, plugins or error masking). Between the bare `node:http`
 * limit and the gateway, it shows what the GraphQL framework itself costs for the same call. Prints one
 * `yoga-client listening on <url>` line; run as its own process.
 */
import { createSchema } from 'graphql-yoga';
import { serveBareYoga } from './bare-yoga.js';
import { limitUpstreamFromEnv } from './limit-client.js';

const typeDefs = /* GraphQL */ `
  scalar LocalDate

  type Query {
    store(id: ID!): Store
  }

  type Store {
    id: ID!
    passengerIndicator(from: LocalDate!, to: LocalDate!): PassengerIndicator
  }

  type PassengerIndicator {
    inflow: Int!
    passBy: Int!
    outsideFlow: Int!
    inShopRate: Float!
    outflow: Int
  }
`;

const upstream = await limitUpstreamFromEnv();

serveBareYoga(
  'yoga-client',
  createSchema({
    typeDefs,
    resolvers: {
      Query: { store: (_root: unknown, { id }: { id: string }) => ({ id }) },
      Store: { passengerIndicator: ({ id }: { id: string }, { from, to }: { from: string; to: string }) => upstream.storeWindow(id, from, to) },
    },
  }),
  () => upstream.close(),
);
