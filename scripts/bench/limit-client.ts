/**
 * The upstream client of the limit servers (limit-server.ts, bare-yoga-client-server.ts): the gateway's own
 * signed client and passenger-flow API from `dist/`, configured from the environment exactly as
 * `src/server.ts` configures the gateway's (`clientKnobs(loadConfig(env))` plus the vendor endpoint and key),
 * so the limit servers and the gateway make the same calls over the same number of sockets.
 */
import type * as ClientModule from '../../src/upstream/client.js';
import type * as ConfigModule from '../../src/config.js';
import type * as PassengerFlowModule from '../../src/upstream/passenger-flow.js';
import type { PassengerIndicatorFigures } from '../../src/upstream/passenger-flow.js';
import { importDist } from './dist-modules.js';

export interface LimitUpstream {
  /** One store's days `from` to `to` (yyyy-MM-dd), as the gateway asks them for `passengerIndicator(from, to)`. */
  storeWindow(id: string, from: string, to: string): Promise<PassengerIndicatorFigures>;
  close(): Promise<void>;
}

/** The client from the environment (OPRETAIL_BASE_URL, key, secret and every OPRETAIL_* knob). */
export async function limitUpstreamFromEnv(): Promise<LimitUpstream> {
  const { clientKnobs, loadConfig } = await importDist<typeof ConfigModule>('config.js');
  const { createOpretailClient } = await importDist<typeof ClientModule>('upstream/client.js');
  const { createPassengerFlowApi } = await importDist<typeof PassengerFlowModule>('upstream/passenger-flow.js');
  const config = loadConfig(process.env);
  if (config.upstream.mode !== 'vendor') throw new Error('a limit server needs OPRETAIL_BASE_URL (the bench passes the emulator)');
  const { baseUrl, appKey, appSecret, auth } = config.upstream;
  const client = createOpretailClient({ ...clientKnobs(config), baseUrl, appKey, appSecret, auth });
  const api = createPassengerFlowApi(client);
  return {
    storeWindow: (id, from, to) => api.getPassengerIndicatorData({ depId: id, startTime: `${from} 00:00:00`, endTime: `${to} 23:59:59`, businessHoursOnly: false }),
    close: () => client.close(),
  };
}
