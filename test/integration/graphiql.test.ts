import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { PassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';

const unused: PassengerFlowApi = { getPassengerIndicatorData: () => Promise.reject(new Error('no upstream in this test')) };

async function page(graphiql: 'inline' | 'cdn' | 'off') {
  const yoga = createGatewayYoga({ passengerFlow: unused, config: { ...loadConfig({}), graphiql } });
  const response = await yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
  return { status: response.status, type: response.headers.get('content-type') ?? '', html: await response.text() };
}

describe('GraphiQL', () => {
  it('inline (default): a self-contained page with the example query, no CDN', async () => {
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
});
