/**
 * What the bench's own servers (the floors, the limit servers) share: each runs as its own process, listens on
 * 127.0.0.1 at an ephemeral port, announces `<name> listening on http://127.0.0.1:<port>/graphql` (the line
 * bench-servers.ts waits for) and stops on SIGTERM/SIGINT.
 */
import { createServer, type RequestListener } from 'node:http';

/** The line a bench server prints once it listens; group 1 is the URL. */
export function benchServerReadyLine(name: string): RegExp {
  return new RegExp(`^${name} listening on (http://127\\.0\\.0\\.1:\\d+/graphql)`);
}

/** Serves `listener` on 127.0.0.1, port 0, announces it, and on SIGTERM/SIGINT closes, runs `onStop`, exits. */
export function serveOnLoopback(name: string, listener: RequestListener, onStop: () => Promise<void> = async () => {}): void {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${name} listening on http://127.0.0.1:${port}/graphql\n`);
  });
  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => void onStop().finally(() => process.exit(0)));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
