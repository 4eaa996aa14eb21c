/**
 * The bench's floor: a bare graphql-yoga server (see bare-yoga.ts). `{ __typename }` against it is what the
 * framework costs on this machine, so the gateway's own overhead is the gap between the two. Prints one
 * `floor listening on <url>` line.
 */
import { createSchema } from 'graphql-yoga';
import { serveBareYoga } from './bare-yoga.js';

// A query type needs a field; `{ __typename }` never resolves it.
serveBareYoga('floor', createSchema({ typeDefs: 'type Query { ping: String }', resolvers: { Query: { ping: () => 'pong' } } }));
