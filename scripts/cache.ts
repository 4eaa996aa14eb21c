/**
 * `npm run cache -- purge --store 174679` | `npm run cache -- purge --all`: removes cached upstream answers
 * from the configured shared backend (REDIS_URL). The in-memory cache lives inside each gateway process;
 * a key with `"cacheBypass": true` sending `Cache-Control: no-cache` refetches there.
 */
import { parseArgs } from 'node:util';
import { connectRedis } from '../src/cache/redis-connection.js';
import { createRedisStore } from '../src/cache/redis-store.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { STORE_ID_PATTERN } from '../src/resolvers/store-id.js';

const USAGE = `usage: npm run cache -- purge (--store <id> | --all)
  --store <id>   remove every cached answer for one store (all methods and windows)
  --all          remove every cached answer of this deployment
Uses REDIS_URL (the in-memory cache lives inside each gateway process: restart it, or refetch with a
cacheBypass key and Cache-Control: no-cache).`;

function fail(message: string): never {
  process.stderr.write(`cache: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { store: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1 || positionals[0] !== 'purge') fail('the only command is "purge"');
  if ((values.store === undefined) === (values.all !== true)) fail('give exactly one of --store <id> or --all');
  if (values.store !== undefined && !STORE_ID_PATTERN.test(values.store)) fail('--store must be a 1–11 digit store id');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  if (config.redisUrl === undefined) fail('REDIS_URL is not set: there is no shared cache to purge');
  let down = '';
  const redis = connectRedis(config.redisUrl, { down: (reason) => (down = reason), up: () => {} });
  try {
    if (!(await redis.ready(3000))) fail(`Redis is not reachable${down ? ` (${down})` : ''}`);
    const removed = await createRedisStore(redis).purge(values.all ? 'all' : { storeId: values.store! });
    process.stdout.write(`removed ${removed} cached answer(s)${values.all ? '' : ` of store ${values.store}`}\n`);
  } finally {
    await redis.close();
  }
}

await main();
