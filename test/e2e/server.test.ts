import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL as post, runProcess as exitOf, startProcess as start, stopAll } from './processes.js';

/** Real processes on port 0, as `npm start` runs them: the built server (see global-setup.ts), and the emulator CLI. */

/** The ```graphql blocks of the README's "Example queries" section, and the JSON variables that follow the daily-series example. */
function readmeExamples(): Array<{ query: string; variables?: unknown }> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Example queries'), readme.indexOf('\n## ', readme.indexOf('## Example queries') + 1));
  const blocks = [...section.matchAll(/```graphql\n([\s\S]*?)```(?:\s*\n\s*with variables `(\{[^`]*\})`)?/g)];
  return blocks.map((m) => ({ query: m[1]!, ...(m[2] ? { variables: JSON.parse(m[2]) } : {}) }));
}

const BASE_ENV = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' };
const UPSTREAM_VARS = ['OPRETAIL_BASE_URL', 'OPRETAIL_APP_KEY', 'OPRETAIL_APP_SECRET'];

beforeAll(() => {
  for (const name of UPSTREAM_VARS) delete process.env[name];
});
afterAll(stopAll);

describe('npm start (demo mode)', () => {
  let url: string;
  let output: () => string;

  beforeAll(async () => {
    const server = await start('node', ['dist/server.js'], BASE_ENV, /listening on (http:\/\/\S+\/graphql)/);
    url = server.match[1]!;
    output = server.output;
  });

  it('says in one line that it runs on the built-in emulator', () => {
    expect(output().match(/DEMO MODE/g)).toHaveLength(1);
  });

  it('serves GraphiQL to a browser, with the example query preloaded', async () => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('passengerIndicator');
  });

  it('answers every example query of the README without errors', async () => {
    const examples = readmeExamples();
    expect(examples).toHaveLength(5);
    for (const example of examples) {
      const body = await post(url, example.query, example.variables);
      expect(body.errors, example.query).toBeUndefined();
      // Figures, or the directory's (CJK) store names.
      expect(JSON.stringify(body.data)).toMatch(/"inflow":\d+|"name":"[^"]*店"/);
    }
  });
});

describe('vendor mode against a separately started strict emulator', () => {
  it.each(['md5', 'sha1'])('works with %s signatures, unchanged', async (signMethod) => {
    const emulator = await start(
      'node_modules/.bin/tsx',
      ['src/emulator/cli.ts', '--port', '0'],
      { EMULATOR_KEYS: 'vendor-key:vendor-secret-1' },
      /listening on (http:\/\/\S+\/cloud\.api)/,
    );
    expect(emulator.output()).not.toContain('vendor-secret-1');
    const server = await start(
      'node',
      ['dist/server.js'],
      {
        ...BASE_ENV,
        OPRETAIL_BASE_URL: emulator.match[1]!,
        OPRETAIL_APP_KEY: 'vendor-key',
        OPRETAIL_APP_SECRET: 'vendor-secret-1',
        OPRETAIL_SIGN_METHOD: signMethod,
        GATEWAY_ALLOW_ANONYMOUS: 'true',
        TZ: 'America/New_York',
        LOG_LEVEL: 'debug',
      },
      /listening on (http:\/\/\S+\/graphql)/,
    );
    const body = await post(server.match[1]!, `{ store(id: "42") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(server.output()).not.toContain('DEMO MODE');
    // Debug logs show the attempt, never the secret or a signature. The line may reach us after the answer does.
    await server.waitForOutput(/upstream open\.shopweb\.passengerFlow\.getPassengerIndicatorData attempt=1 outcome=SUCCESS/);
    expect(server.output()).not.toContain('vendor-secret-1');
    expect(server.output()).not.toMatch(/[0-9A-F]{32}/);
    server.child.kill('SIGTERM');
    emulator.child.kill('SIGTERM');
  });

  it('refuses to start without the key or the secret, naming the missing variable', async () => {
    const noKey = await exitOf('node', ['dist/server.js'], { ...BASE_ENV, OPRETAIL_BASE_URL: 'http://127.0.0.1:9/cloud.api', OPRETAIL_APP_SECRET: 's3cr3t-value' });
    expect(noKey.code).toBe(2);
    expect(noKey.output).toContain('OPRETAIL_APP_KEY is required');
    expect(noKey.output).not.toContain('s3cr3t-value');
    const noSecret = await exitOf('node', ['dist/server.js'], { ...BASE_ENV, OPRETAIL_BASE_URL: 'http://127.0.0.1:9/cloud.api', OPRETAIL_APP_KEY: 'k' });
    expect(noSecret.code).toBe(2);
    expect(noSecret.output).toContain('OPRETAIL_APP_SECRET is required');
  });
});
