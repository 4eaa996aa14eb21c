import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createSchema, createYoga } from 'graphql-yoga';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { GRAPHIQL_EXAMPLES, useGraphiQLPage, type GraphiQLPageOptions } from '../../src/graphiql-page.js';
import { silentLogger } from '../../src/logger.js';
import { useSecurityHeaders } from '../../src/security/browser-safety.js';
import { useRequestGate } from '../../src/security/request-gate.js';
import type { PassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';

// The inline renderer, wrapped so a test can count how often the 9 MB page is built.
vi.mock('@graphql-yoga/render-graphiql', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@graphql-yoga/render-graphiql')>();
  return { ...actual, renderGraphiQL: vi.fn(actual.renderGraphiQL) };
});

const unused: PassengerFlowApi = { getPassengerIndicatorData: () => Promise.reject(new Error('no upstream in this test')) };
const TITLE = 'Passenger Flow Gateway';
const URL_ = 'http://gateway.test/graphql';

/** The ```graphql blocks of the README's "Example queries" section, and the JSON variables that follow one. */
function readmeExamples(): Array<{ query: string; variables?: unknown }> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Example queries');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```graphql\n([\s\S]*?)```(?:\s*\n\s*with variables `(\{[^`]*\})`)?/g)];
  return blocks.map((m) => ({ query: m[1]!, ...(m[2] ? { variables: JSON.parse(m[2]) } : {}) }));
}

/** The options object the page hands to GraphiQL (the JSON that starts with `{"title":`). */
function pageOptions(html: string): { title: string; defaultTabs: Array<{ query: string; variables: string | null; headers: string | null }> } {
  const start = html.indexOf('{"title":');
  expect(start, 'GraphiQL options in the page').toBeGreaterThan(-1);
  for (let end = html.indexOf('}', start); end !== -1; end = html.indexOf('}', end + 1)) {
    try {
      return JSON.parse(html.slice(start, end + 1));
    } catch {
      // not the end of the object yet
    }
  }
  throw new Error('no complete GraphiQL options object in the page');
}

/** A minimal yoga with the page plugin where the gateway puts it: after the security headers, before the request gate. */
function pageYoga(mode: GraphiQLPageOptions['mode'], { cors = false, path }: { cors?: boolean; path?: string } = {}) {
  return createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
    graphiql: false,
    landingPage: false,
    cors: cors ? { origin: ['https://dash.example.com', 'https://ops.example.com'] } : false,
    plugins: [
      useSecurityHeaders({ graphiqlFromCdn: mode === 'cdn' }),
      useGraphiQLPage({ mode, title: TITLE, tabs: GRAPHIQL_EXAMPLES, ...(path ? { path } : {}) }),
      useRequestGate({ keys: null, requireKey: false, graphiql: true, logger: silentLogger }),
    ],
  });
}

async function get(yoga: ReturnType<typeof pageYoga>, headers: Record<string, string>, url = URL_) {
  const response = await yoga.fetch(url, { headers: { accept: 'text/html,application/xhtml+xml', ...headers } });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

describe('GraphiQL examples', () => {
  it('are the README’s example queries, in its order, each opening with a comment; variables as given there', () => {
    const readme = readmeExamples();
    expect(readme).toHaveLength(5);
    expect(GRAPHIQL_EXAMPLES).toHaveLength(readme.length);
    GRAPHIQL_EXAMPLES.forEach((tab, i) => {
      expect(tab.query).toMatch(/^# \S/);
      expect(tab.query.replace(/^(#.*\n)+/, '')).toBe(readme[i]!.query);
      expect(tab.variables === undefined ? undefined : JSON.parse(tab.variables)).toEqual(readme[i]!.variables);
    });
  });

  it('the first one’s comment names exactly the store, the day and the hours its query asks', () => {
    const first = GRAPHIQL_EXAMPLES[0]!.query;
    const comment = first.match(/^(#.*\n)+/)![0];
    expect(comment).toContain('store 174679 on 2026-05-10 (all hours)');
    expect(first).toContain('store(id: "174679")');
    expect(first).toContain('passengerIndicator(from: "2026-05-10", to: "2026-05-10")');
    expect(first).not.toContain('businessHoursOnly');
  });
});

describe('useGraphiQLPage (inline)', () => {
  const yoga = pageYoga('inline');

  it('one tab per example, self-contained (no CDN), with a CSP; sent uncompressed to a client that asks for no encoding', async () => {
    const { response, body } = await get(yoga, {});
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
    const html = body.toString('utf8');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr/);
    expect(html).toContain(`<title>${TITLE}</title>`);
    const options = pageOptions(html);
    expect(options.title).toBe(TITLE);
    expect(options.defaultTabs).toEqual(GRAPHIQL_EXAMPLES.map((tab) => ({ query: tab.query, variables: tab.variables ?? null, headers: null })));
  });

  it('brotli and gzip bodies decompress to the same page, several times smaller; each encoding its own strong ETag', async () => {
    const plain = await get(yoga, { 'accept-encoding': 'identity' });
    const br = await get(yoga, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    const gz = await get(yoga, { 'accept-encoding': 'gzip, deflate' });
    expect(br.response.headers.get('content-encoding')).toBe('br');
    expect(gz.response.headers.get('content-encoding')).toBe('gzip');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    for (const { response, body } of [plain, br, gz]) {
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(Number(response.headers.get('content-length'))).toBe(body.length);
      expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+(-br|-gzip)?"$/);
    }
    expect(new Set([plain, br, gz].map(({ response }) => response.headers.get('etag'))).size).toBe(3);
    // The inline page is ~9 MB; compressed it must be far smaller (measured: br ~1.9 MB, gzip ~2.4 MB).
    expect(plain.body.length).toBeGreaterThan(8_000_000);
    expect(br.body.length).toBeLessThan(2_200_000);
    expect(gz.body.length).toBeLessThan(2_700_000);
    expect(br.body.length).toBeLessThan(gz.body.length);
  });

  it('a matching If-None-Match gets 304 with no body (weak or strong form, any listed tag); another tag gets the page', async () => {
    const first = await get(yoga, { 'accept-encoding': 'br' });
    const etag = first.response.headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`]) {
      const again = await get(yoga, { 'accept-encoding': 'br', 'if-none-match': ifNoneMatch });
      expect(again.response.status, ifNoneMatch).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.response.headers.get('etag')).toBe(etag);
      expect(again.response.headers.get('cache-control')).toBe('no-cache');
      expect(again.response.headers.get('vary')).toBe('Accept-Encoding');
    }
    const stale = await get(yoga, { 'accept-encoding': 'br', 'if-none-match': '"not-the-page"' });
    expect(stale.response.status).toBe(200);
    expect(stale.body.equals(first.body)).toBe(true);
  });

  it('follows q-values: br refused → gzip; nothing acceptable → 406', async () => {
    expect((await get(yoga, { 'accept-encoding': 'br;q=0, gzip' })).response.headers.get('content-encoding')).toBe('gzip');
    expect((await get(yoga, { 'accept-encoding': 'gzip;q=0.5, br;q=0.8' })).response.headers.get('content-encoding')).toBe('br');
    expect((await get(yoga, { 'accept-encoding': '*' })).response.headers.get('content-encoding')).toBe('br');
    expect((await get(yoga, { 'accept-encoding': 'identity;q=0, *;q=0' })).response.status).toBe(406);
  });

  it('leaves every other request to yoga and the request gate', async () => {
    const json = await yoga.fetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }) });
    expect(await json.json()).toEqual({ data: { ok: true } });
    const plainGet = await yoga.fetch(`${URL_}?query=%7Bok%7D`, { headers: { accept: 'application/json' } });
    expect(plainGet.status).toBe(403);
    const elsewhere = await yoga.fetch('http://gateway.test/other', { headers: { accept: 'text/html' } });
    expect(elsewhere.status).toBe(404);
  });
});

describe('useGraphiQLPage', () => {
  beforeEach(() => vi.mocked(renderGraphiQL).mockClear());

  it('renders the page once, however many browsers ask at the same time', async () => {
    const yoga = pageYoga('inline');
    const answers = await Promise.all(['br', 'gzip', 'identity', 'br'].map((encoding) => get(yoga, { 'accept-encoding': encoding })));
    expect(answers.map(({ response }) => response.status)).toEqual([200, 200, 200, 200]);
    expect(vi.mocked(renderGraphiQL)).toHaveBeenCalledTimes(1);
  });

  it('cdn: yoga’s small page from unpkg, with the same tabs, compressed too', async () => {
    const yoga = pageYoga('cdn');
    const { response, body } = await get(yoga, { 'accept-encoding': 'gzip' });
    expect(vi.mocked(renderGraphiQL)).not.toHaveBeenCalled();
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('content-security-policy')).toContain('https://unpkg.com');
    const html = gunzipSync(body).toString('utf8');
    expect(html).toContain('unpkg.com/@graphql-yoga/graphiql');
    expect(html.length).toBeLessThan(50_000);
    expect(pageOptions(html).defaultTabs).toHaveLength(GRAPHIQL_EXAMPLES.length);
  });

  it('keeps Accept-Encoding in Vary when CORS adds Origin', async () => {
    const yoga = pageYoga('cdn', { cors: true });
    const { response } = await get(yoga, { 'accept-encoding': 'br', origin: 'https://dash.example.com' });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(response.headers.get('vary')?.split(/,\s*/).sort()).toEqual(['Accept-Encoding', 'Origin']);
  });
});

describe('useGraphiQLPage at its own path', () => {
  const yoga = pageYoga('cdn', { path: '/graphiql' });

  it('redirects a browser’s GET of the endpoint there, query string kept; the page posts to the endpoint', async () => {
    const redirect = await get(yoga, {}, `${URL_}?query=%7Bok%7D`);
    expect(redirect.response.status).toBe(302);
    expect(redirect.response.headers.get('location')).toBe('/graphiql?query=%7Bok%7D');
    const { response, body } = await get(yoga, { 'accept-encoding': 'br' }, 'http://gateway.test/graphiql?query=%7Bok%7D');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(pageOptions(brotliDecompressSync(body).toString('utf8'))).toMatchObject({ endpoint: '/graphql' });
  });

  it('the endpoint still executes queries', async () => {
    const json = await yoga.fetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }) });
    expect(await json.json()).toEqual({ data: { ok: true } });
    const post = await yoga.fetch('http://gateway.test/graphiql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }) });
    expect(post.status).toBe(404);
  });
});

/** The gateway's answer to a browser opening /graphql (following a redirect to the page, if there is one). */
async function page(graphiql: 'inline' | 'cdn' | 'off') {
  const yoga = createGatewayYoga({ passengerFlow: unused, config: { ...loadConfig({}), graphiql } });
  let response = await yoga.fetch(URL_, { headers: { accept: 'text/html' } });
  const location = response.headers.get('location');
  if (response.status === 302 && location) response = await yoga.fetch(new URL(location, URL_), { headers: { accept: 'text/html' } });
  return { status: response.status, type: response.headers.get('content-type') ?? '', html: await response.text() };
}

describe('GraphiQL in the gateway', () => {
  it('inline (default): a self-contained page with the example queries, no CDN', async () => {
    const { status, type, html } = await page('inline');
    expect(status).toBe(200);
    expect(type).toContain('text/html');
    expect(html).toContain('Passenger Flow Gateway');
    expect(html).toContain('dailyPassengerIndicators');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr/);
  });

  it('cdn: yoga’s small page loading its assets from unpkg', async () => {
    const { status, html } = await page('cdn');
    expect(status).toBe(200);
    expect(html).toContain('unpkg.com/@graphql-yoga/graphiql');
    expect(html.length).toBeLessThan(50_000);
  });

  it('off: no page for browsers', async () => {
    const { html } = await page('off');
    expect(html).not.toContain('Passenger Flow Gateway');
    expect(html).not.toContain('<html');
  });

  it('serves the page through useGraphiQLPage at /graphiql: one tab per example, brotli, ETag, 304', async () => {
    const yoga = createGatewayYoga({ passengerFlow: unused, config: { ...loadConfig({}), graphiql: 'inline' } });
    const browser = { accept: 'text/html', 'accept-encoding': 'gzip, br' };
    const redirect = await yoga.fetch(URL_, { headers: browser });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/graphiql');
    const first = await yoga.fetch('http://gateway.test/graphiql', { headers: browser });
    expect(first.headers.get('content-encoding')).toBe('br');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = brotliDecompressSync(Buffer.from(await first.arrayBuffer())).toString('utf8');
    expect(pageOptions(html).defaultTabs.map((tab) => tab.query)).toEqual(GRAPHIQL_EXAMPLES.map((tab) => tab.query));
    const again = await yoga.fetch('http://gateway.test/graphiql', { headers: { ...browser, 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
