import { Redis } from 'ioredis';

/** What the Redis connection reports: an outage once when it starts, and the recovery. */
export interface RedisEvents {
  down(reason: string): void;
  up(): void;
}

export interface RedisConnection {
  readonly client: Redis;
  /** Connected and ready: callers use Redis, else they fall back to this process. */
  available(): boolean;
  /** Resolves once ready, or after `timeoutMs` (start-up does not wait for an absent Redis). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * One Redis connection for the cache, coalescing and the rate limit. Commands never queue while Redis is away
 * (they fail at once and callers fall back to this process), and the client reconnects by itself, so a Redis
 * outage slows nothing down and ends without anyone's help. The URL (which may hold a password) is never logged.
 */
export function connectRedis(url: string, events: RedisEvents): RedisConnection {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // A cache must never hold requests up: no blocking on a handshake that cannot finish.
    lazyConnect: false,
  });
  let isUp = false;
  let reportedDown = false;
  let closing = false;
  client.on('ready', () => {
    isUp = true;
    if (reportedDown) events.up();
    reportedDown = false;
  });
  const lost = (reason: string) => {
    isUp = false;
    if (!reportedDown && !closing) {
      reportedDown = true;
      events.down(reason);
    }
  };
  client.on('error', (error: Error & { code?: string }) => lost(error.code ?? error.name));
  client.on('end', () => lost('connection closed'));
  client.on('close', () => {
    if (isUp) lost('connection closed');
  });
  return {
    client,
    available: () => isUp,
    ready(timeoutMs) {
      if (isUp) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      });
    },
    async close() {
      closing = true;
      client.removeAllListeners('error');
      client.on('error', () => {});
      client.disconnect();
    },
  };
}
