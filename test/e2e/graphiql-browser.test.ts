import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_EXAMPLES } from '../../src/graphiql-page.js';
import { generateApiKey } from '../../src/security/api-keys.js';
import { startProcess, stopAll } from './processes.js';

/**
 * GraphiQL in a real browser: Debian's Chromium (installed by .ci/run), driven by playwright-core, against the
 * built server (`npm start`) in demo mode. Every request the page makes must go to the gateway's own loopback
 * origin: anything else fails the test (the inline page needs no CDN), and could not leave the machine anyway.
 */

const CHROMIUM = '/usr/bin/chromium';
const BASE_ENV = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' };
const UPSTREAM_VARS = ['OPRETAIL_BASE_URL', 'OPRETAIL_APP_KEY', 'OPRETAIL_APP_SECRET'];
const READY = /listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;
const OPERATIONS = GRAPHIQL_EXAMPLES.map((tab) => tab.query.match(/^query (\w+)/m)![1]!);

const dir = mkdtempSync(join(tmpdir(), 'graphiql-e2e-'));
const contexts: BrowserContext[] = [];

beforeAll(() => {
  for (const name of UPSTREAM_VARS) delete process.env[name];
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
});
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** What the page did that it must not: requests off its origin, CSP violations, uncaught errors. */
interface PageWatch {
  page: Page;
  context: BrowserContext;
  offOrigin: string[];
  problems: string[];
}

/**
 * A fresh browser profile on disk, as a user has: an incognito context keeps its HTTP cache in memory and does
 * not store a 2 MB page, so it would never revalidate it.
 */
async function openGraphiQL(url: string): Promise<PageWatch & { pageUrl: string; encoding: string | undefined; etag: string | undefined }> {
  const origin = new URL(url).origin;
  const context = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    serviceWorkers: 'block',
    // Everything but loopback goes to a proxy that is not there: the page can reach nothing but the gateway.
    proxy: { server: 'http://127.0.0.1:9', bypass: '127.0.0.1' },
  });
  contexts.push(context);
  const offOrigin: string[] = [];
  const problems: string[] = [];
  // Off-origin requests are recorded (and cannot leave: the dead proxy). Not page.route: intercepting requests
  // turns Chromium's HTTP cache off. blob: and data: URLs (GraphiQL's workers and fonts) never reach the network.
  context.on('request', (request) => {
    const requested = request.url();
    if (/^https?:/.test(requested) && new URL(requested).origin !== origin) offOrigin.push(requested);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|CSP violation|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  await page.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 20_000 });
  const headers = await response!.allHeaders();
  // The page's own URL, after the redirect from the GraphQL endpoint.
  return { page, context, offOrigin, problems, pageUrl: response!.url(), encoding: headers['content-encoding'], etag: headers.etag };
}

/** The text the result pane shows (Monaco renders the visible lines; spaces come as no-break spaces). */
async function resultPane(page: Page): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
}

/** Clicks GraphiQL's run button and returns the HTTP status and JSON body of the request it sent for `operation`. */
async function run(page: Page, operation: string): Promise<{ status: number; body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } }> {
  const sentBy = (response: Response) =>
    response.request().method() === 'POST' && (JSON.parse(response.request().postData() ?? '{}') as { operationName?: string }).operationName === operation;
  // GraphiQL may still hold the previous tab's document for a moment after the new query shows in the editor; a
  // run then fails inside the page ("Cannot infer operation …") and sends nothing. So the click is repeated (up to
  // three times, 5 s apart) until the request for `operation` goes out; what is asserted of its answer is unchanged.
  let response: Response | Error = new Error('not run');
  for (let click = 0; click < 3 && response instanceof Error; click++) {
    // Settled at once (an Error instead of a rejection), so a slow click cannot leave a rejection unhandled.
    const answered = page.waitForResponse(sentBy, { timeout: 5_000 }).catch((error: Error) => error);
    await page.locator('.graphiql-execute-button').click();
    response = await answered;
  }
  if (response instanceof Error) {
    const active = await page.locator('.graphiql-tab-active').innerText();
    throw new Error(`no answer to ${operation} (active tab ${active}; result pane: ${(await resultPane(page)).slice(0, 300)}): ${response.message}`);
  }
  return { status: response.status(), body: await response.json() };
}

async function waitForPane(page: Page, pattern: RegExp): Promise<string> {
  await expect.poll(() => resultPane(page), { timeout: 15_000 }).toMatch(pattern);
  return resultPane(page);
}

describe('GraphiQL in Chromium (npm start, demo mode)', () => {
  it('opens with one tab per README example; each runs and shows data in the result pane', async () => {
    const server = await startProcess('node', ['dist/server.js'], BASE_ENV, READY);
    const { page, context, offOrigin, problems, encoding, etag: pageETag, pageUrl } = await openGraphiQL(server.match[1]!);
    // The page came compressed: Chromium offers brotli on http://127.0.0.1 too (the integration test covers the rest).
    expect(encoding).toBe('br');
    expect(await page.title()).toBe('Passenger Flow Gateway');
    await expect.poll(() => page.locator('.graphiql-tab').allInnerTexts()).toEqual(OPERATIONS);

    for (const [index, operation] of OPERATIONS.entries()) {
      // With the keyboard: GraphiQL leaves a stale drag offset (framer-motion) on the tabs, applied only while a
      // tab has focus, so a first mouse press moves the tab away from under the pointer and the click misses.
      await page.locator('.graphiql-tab').nth(index).locator('.graphiql-tab-button').press('Enter');
      await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toBe(operation);
      // The tab is marked active before its query is in the editor; running earlier sends the previous tab's query.
      await expect.poll(async () => (await page.locator('.graphiql-query-editor').innerText()).replace(/\u00a0/g, ' ')).toContain(`query ${operation}`);
      const { status, body } = await run(page, operation);
      expect(status, operation).toBe(200);
      expect(body.errors, operation).toBeUndefined();
      // Figures, or (the directory tab) the first store's name, CJK intact from the vendor to the result pane.
      const directory = operation === 'StoreDirectory';
      expect(JSON.stringify(body.data), operation).toMatch(directory ? /"name":"上海万达广场店"/ : /"inflow":\d+/);
      const pane = await waitForPane(page, directory ? /"name": "上海万达广场店"/ : /"inflow": \d+/);
      expect(pane, operation).toContain('"data"');
      expect(pane, operation).not.toContain('"errors"');
    }

    // Coming back to the page (after GraphiQL has posted queries) revalidates it with its ETag: If-None-Match
    // → 304, not 2 MB again. Only true if the page does not live at the URL GraphiQL posts to (a POST makes the
    // browser drop its copy of that URL). What went over the wire comes from the DevTools protocol: the page API
    // reports the cached 200.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const wire = new Map<string, { url?: string; sent?: Record<string, string>; status?: number }>();
    const entry = (requestId: string) => wire.get(requestId) ?? wire.set(requestId, {}).get(requestId)!;
    const lowercase = (headers: object) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
    cdp.on('Network.requestWillBeSent', (event) => (entry(event.requestId).url = event.request.url));
    cdp.on('Network.requestWillBeSentExtraInfo', (event) => (entry(event.requestId).sent = lowercase(event.headers)));
    cdp.on('Network.responseReceivedExtraInfo', (event) => (entry(event.requestId).status = event.statusCode));
    await page.goto(pageUrl);
    await page.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 20_000 });
    const revisit = [...wire.values()].find((item) => item.url === pageUrl);
    expect(revisit?.sent?.['if-none-match']).toBe(pageETag);
    expect(revisit?.status).toBe(304);
    expect(offOrigin).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
    server.child.kill('SIGTERM');
  });

  it('with a key file: without a key the query is UNAUTHENTICATED; with the key in the headers tab it runs', async () => {
    const client = generateApiKey();
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify([{ name: 'graphiql-e2e', sha256: client.sha256, stores: '*' }]));
    const server = await startProcess('node', ['dist/server.js'], { ...BASE_ENV, GATEWAY_API_KEYS_FILE: keysFile }, READY);
    const { page, context, offOrigin, problems } = await openGraphiQL(server.match[1]!);
    const operation = OPERATIONS[0]!;

    const refused = await run(page, operation);
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await waitForPane(page, /UNAUTHENTICATED/)).not.toContain('"inflow"');

    await page.locator('.graphiql-editor-tools').getByText('Headers', { exact: true }).click();
    const headersEditor = page.locator('.graphiql-editor-tool .monaco-editor:visible');
    await headersEditor.click();
    await page.keyboard.press('ControlOrMeta+A');
    // insertText types no keys, so the editor's bracket and quote auto-closing adds nothing.
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${client.key}` }));
    const admitted = await run(page, operation);
    expect(admitted.status).toBe(200);
    expect(admitted.body.errors).toBeUndefined();
    const pane = await waitForPane(page, /"inflow": \d+/);
    expect(pane).toContain('"data"');
    expect(pane).not.toContain('UNAUTHENTICATED');
    expect(server.output()).not.toContain(client.key);
    expect(offOrigin).toEqual([]);
    // (The page's own schema fetch, sent without a key, got a 401 too: that is the gate working, not a problem.)
    expect(problems).toEqual([]);
    await context.close();
    server.child.kill('SIGTERM');
  });
});
