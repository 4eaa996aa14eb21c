/**
 * What the bench's bare graphql-yoga servers share: a yoga on node:http, with none of the gateway's plugins,
 * context, loaders or error masking, run as its own process (see serve-loopback.ts) so it does not share the
 * load generator's CPU. Every bare yoga goes through here, so they differ only in their schema.
 */
import type { GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { serveOnLoopback } from './serve-loopback.js';

/** Serves `schema` on 127.0.0.1 (see serveOnLoopback); `onStop` runs once it has stopped listening. */
export function serveBareYoga(name: string, schema: GraphQLSchema, onStop?: () => Promise<void>): void {
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    // Same as the gateway in the bench (LOG_LEVEL=notice): nothing is logged per request.
    logging: 'warn',
  });
  serveOnLoopback(name, yoga, onStop);
}
