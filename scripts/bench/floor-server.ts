/**
 * The bench's floor: a bare graphql-yoga server on node:http, with none of the gateway's plugins, context,
 * loaders or error masking. `{ __typename }` against it is what the framework costs on this machine, so the
 * gateway's own overhead is the gap between the two. Run as its own process (by scripts/bench/run.ts) so it
 * does not share the load generator's CPU; prints one `floor listening on <url>` line.
 */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  // A query type needs a field; `{ __typename }` never resolves it.
  schema: createSchema({ typeDefs: 'type Query { ping: String }', resolvers: { Query: { ping: () => 'pong' } } }),
  graphqlEndpoint: '/graphql',
  // Same as the gateway in the bench (LOG_LEVEL=warn): nothing is logged per request.
  logging: 'warn',
});

const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`floor listening on http://127.0.0.1:${port}/graphql\n`);
});

const stop = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
