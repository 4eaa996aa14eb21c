/**
 * What the bench's floor servers share: a bare graphql-yoga server on node:http, with none of the gateway's
 * plugins, context, loaders or error masking, run as its own process (by scripts/bench/run.ts) so it does not
 * share the load generator's CPU. Both floors go through here, so they differ only in their schema.
 */
import { createServer } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';

/** The line a floor prints once it listens; bench-servers.ts waits for it (group 1 is the URL). */
export function bareYogaReadyLine(name: string): RegExp {
  return new RegExp(`^${name} listening on (http://127\\.0\\.0\\.1:\\d+/graphql)`);
}

/** Serves `schema` on 127.0.0.1, port 0, prints `<name> listening on <url>`, and stops on SIGTERM/SIGINT. */
export function serveBareYoga(name: string, schema: GraphQLSchema): void {
  const yoga = createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    // Same as the gateway in the bench (LOG_LEVEL=warn): nothing is logged per request.
    logging: 'warn',
  });

  const server = createServer(yoga);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${name} listening on http://127.0.0.1:${port}/graphql\n`);
  });

  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
