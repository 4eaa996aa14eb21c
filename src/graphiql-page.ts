import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { renderGraphiQL as renderCdnPage, type GraphiQLOptions, type Plugin } from 'graphql-yoga';

/** One GraphiQL tab: its document, and optionally its variables and headers as JSON text. */
export interface GraphiQLTab {
  query: string;
  variables?: string;
  headers?: string;
}

export interface GraphiQLPageOptions {
  /**
   * `inline`: GraphiQL's assets come from npm inside the page (~9 MB before compression), so it works on networks
   * that cannot reach a CDN; `cdn`: yoga's small page that loads them from unpkg.com.
   */
  mode: 'inline' | 'cdn';
  /** The page's title, shown in the tab bar and GraphiQL's logo. Plain text: it is put into the HTML as is. */
  title: string;
  /** The tabs the page opens with (when the browser has no saved tabs of its own). */
  tabs: readonly GraphiQLTab[];
  /**
   * Where the page lives. At its own path (e.g. `/graphiql`), a browser's `GET` of the GraphQL endpoint is
   * redirected there (302, query string kept) and GraphiQL posts its queries to the endpoint. At the endpoint
   * itself the `ETag` rarely helps: GraphiQL's first request is a `POST` to the page's own URL, and a browser
   * drops its cached copy of a URL that was posted to (RFC 9111 §4.4), so the next visit downloads it again.
   * @default the GraphQL endpoint (yoga's `graphqlEndpoint`)
   */
  path?: string;
}

/**
 * The README's "Example queries", one GraphiQL tab each and in the same order (test/integration/graphiql.test.ts
 * holds them to it). Each starts with a comment that says what its answer shows; they all work in demo mode.
 */
export const GRAPHIQL_EXAMPLES: readonly GraphiQLTab[] = [
  {
    query: `# One store, one day: store 174679 on 2026-05-10 (all hours),
# with every passenger figure the vendor gives.
# In demo mode every store id works; try a few.
query OneStore {
  store(id: "174679") {
    id
    passengerIndicator(from: "2026-05-10", to: "2026-05-10") {
      inflow
      passBy
      outsideFlow
      inShopRate
      outflow
      fittingRoomFlow
      fittingRoomRate
    }
  }
}
`,
  },
  {
    query: `# A dashboard: stores 174679, 174680 and 174681 (174679 asked twice), each
# with its total for the week 2026-05-04 to 2026-05-10 over all hours (week)
# and over business hours only (openHours). Each distinct store and window is
# fetched once, so the repeated store costs no extra vendor call.
query Dashboard {
  stores(ids: ["174679", "174680", "174681", "174679"]) {
    id
    week: passengerIndicator(from: "2026-05-04", to: "2026-05-10") {
      inflow
      inShopRate
    }
    openHours: passengerIndicator(from: "2026-05-04", to: "2026-05-10", businessHoursOnly: true) {
      inflow
      inShopRate
    }
  }
}
`,
  },
  {
    query: `# A daily series: store $store, one row per day from $from to $to (see the
# variables below), all hours. Each day is its own window, and the vendor
# counts distinct visitors per window, so the days need not add up to the
# week's total (the Dashboard tab's week).
query DailySeries($store: ID!, $from: LocalDate!, $to: LocalDate!) {
  store(id: $store) {
    dailyPassengerIndicators(from: $from, to: $to) {
      from
      inflow
      passBy
      inShopRate
    }
  }
}
`,
    variables: `{ "store": "174679", "from": "2026-05-04", "to": "2026-05-10" }`,
  },
  {
    query: `# The store directory: every store this key may read, ordered by id, with
# its name, region, address, position and whether it is open (the vendor's
# getDepartments, every page fetched once and cached for CACHE_DIRECTORY_TTL_S).
# In demo mode the emulator's tenant lists 64 stores, 174679 to 174742.
query StoreDirectory {
  storeDirectory {
    id
    name
    region
    address
    location {
      latitude
      longitude
    }
    isOpen
  }
}
`,
  },
  {
    query: `# An hourly heat-map: stores 174679, 174680 and 174681, every hour of the week
# 2026-05-04 to 2026-05-10 (7 × 24 rows per store). The three stores share one
# vendor call (up to 20 stores per call). Hours are de-duplicated per hour, so
# they do not add up to a day's total.
query HourlyHeatMap {
  stores(ids: ["174679", "174680", "174681"]) {
    id
    name
    hourlyPassengerIndicators(from: "2026-05-04", to: "2026-05-10") {
      date
      hour
      inflow
      inShopRate
    }
  }
}
`,
  },
];

/** One encoding of the page, ready to send. */
interface Variant {
  encoding: 'br' | 'gzip' | 'identity';
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

const compressBrotli = promisify(brotliCompress);
const compressGzip = promisify(gzip);

/**
 * Brotli quality 5: the inline page (9 MB) becomes ~1.9 MB in about a second, once per process. Quality 11 would
 * save another 0.2 MB for ~45 s of CPU.
 */
const BROTLI_QUALITY = 5;

/**
 * Serves the GraphiQL page to `GET` requests that accept `text/html`, in place of yoga's own GraphiQL handling
 * (create yoga with `graphiql: false`). The page is rendered and compressed (brotli, gzip) once, on the first
 * request — compression runs in libuv's thread pool, so the event loop keeps serving — and sent in the best
 * encoding the browser accepts, with a strong `ETag` per encoding and `Cache-Control: no-cache`: the browser
 * revalidates its copy and gets `304 Not Modified`, not the page again.
 */
export function useGraphiQLPage(options: GraphiQLPageOptions): Plugin {
  const pageOptions: GraphiQLOptions = {
    title: options.title,
    defaultTabs: options.tabs.map((tab) => ({ query: tab.query, variables: tab.variables ?? null, headers: tab.headers ?? null })),
    // yoga's page keeps the headers editor (where a client key goes) in localStorage unless told not to.
    shouldPersistHeaders: false,
  };
  // The options are put into an inline <script> as JSON; text that closes the script would break the page.
  if (/<\/script|<!--/i.test(JSON.stringify(pageOptions))) throw new Error('GraphiQL options must not contain "</script" or "<!--"');
  let endpoint = '/graphql';
  let pagePath = options.path ?? endpoint;
  let variants: Promise<Variant[]> | undefined;
  const sent = new WeakSet<Response>();
  const render = async (): Promise<Variant[]> => {
    // yoga's page posts to its own URL unless told where the endpoint is.
    const rendered = { ...pageOptions, endpoint };
    // The inline renderer carries GraphiQL's whole bundle (tens of MB once loaded): imported only when the page
    // is first asked for, so a gateway nobody opens GraphiQL on never holds it.
    const html = Buffer.from(
      options.mode === 'inline' ? (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(rendered) : renderCdnPage(rendered),
    );
    const hash = createHash('sha256').update(html).digest('base64url').slice(0, 27);
    const [br, gz] = await Promise.all([
      compressBrotli(html, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
          [zlib.BROTLI_PARAM_SIZE_HINT]: html.length,
        },
      }),
      compressGzip(html, { level: 6 }),
    ]);
    // A strong validator names exact bytes, so each encoding has its own (RFC 9110 §8.8.3.3).
    return [
      { encoding: 'br', body: new Uint8Array(br), etag: `"${hash}-br"` },
      { encoding: 'gzip', body: new Uint8Array(gz), etag: `"${hash}-gzip"` },
      { encoding: 'identity', body: new Uint8Array(html), etag: `"${hash}"` },
    ];
  };
  return {
    onYogaInit({ yoga }) {
      endpoint = yoga.graphqlEndpoint;
      pagePath = options.path ?? endpoint;
    },
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' || !(request.headers.get('accept') ?? '').includes('text/html')) return;
      const at = (path: string) => url.pathname === path || url.pathname === `${path}/`;
      if (pagePath !== endpoint && at(endpoint)) {
        const location = `${pagePath}${url.search}`;
        // Typed as the page (text/html) so the header plugins give it the page's headers and no access-log line.
        const link = `<!doctype html><title>GraphiQL</title><a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">GraphiQL</a>`;
        return endResponse(new fetchAPI.Response(link, { status: 302, headers: { location, 'content-type': 'text/html; charset=utf-8' } }));
      }
      if (!at(pagePath)) return;
      // A failed render is not cached: the next request tries again.
      variants ??= render().catch((error: unknown) => {
        variants = undefined;
        throw error;
      });
      return variants.then((all) => {
        const headers = {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          vary: 'Accept-Encoding',
        };
        const cached = matchingVariant(all, request.headers.get('if-none-match'));
        if (cached) {
          // The 304 carries the page's content-type so that header plugins treat it as the page it revalidates.
          const response = new fetchAPI.Response(null, { status: 304, headers: { ...headers, etag: cached.etag } });
          sent.add(response);
          return endResponse(response);
        }
        const chosen = chooseVariant(all, request.headers.get('accept-encoding'));
        if (!chosen) {
          const response = new fetchAPI.Response('None of the encodings br, gzip or identity is acceptable.', {
            status: 406,
            headers: { 'content-type': 'text/plain; charset=utf-8', vary: 'Accept-Encoding' },
          });
          return endResponse(response);
        }
        const response = new fetchAPI.Response(chosen.body, {
          status: 200,
          headers: {
            ...headers,
            etag: chosen.etag,
            'content-length': String(chosen.body.byteLength),
            ...(chosen.encoding === 'identity' ? {} : { 'content-encoding': chosen.encoding }),
          },
        });
        sent.add(response);
        endResponse(response);
      });
    },
    onResponse({ response }) {
      if (!sent.has(response)) return;
      // Other plugins' onResponse may have replaced these (CORS sets `Vary: Origin`); the page needs both.
      response.headers.set('cache-control', 'no-cache');
      const vary = response.headers.get('vary');
      if (!vary?.split(',').some((name) => name.trim().toLowerCase() === 'accept-encoding')) {
        response.headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
      }
    },
  };
}

/** The variant whose ETag the browser already holds (`If-None-Match` compares weakly), if any. */
function matchingVariant(variants: readonly Variant[], ifNoneMatch: string | null): Variant | undefined {
  if (ifNoneMatch === null) return undefined;
  const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes('*')) return variants[0];
  return variants.find((variant) => tags.includes(variant.etag));
}

/**
 * The best encoding `Accept-Encoding` allows: br, then gzip, then identity. No header means identity only;
 * `q=0` refuses an encoding, `*` stands for every encoding not named.
 */
function chooseVariant(variants: readonly Variant[], acceptEncoding: string | null): Variant | undefined {
  const weights = new Map<string, number>();
  for (const item of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isNaN(weight) ? 0 : weight);
  }
  // identity is acceptable unless refused, but an encoding the client names is preferred to it.
  const weightOf = (encoding: string) => weights.get(encoding) ?? weights.get('*') ?? (encoding === 'identity' ? 0.0001 : 0);
  // Among the acceptable ones the highest q wins; on a tie the smallest body (the list's order).
  let best: Variant | undefined;
  for (const variant of variants) {
    const weight = weightOf(variant.encoding);
    if (weight > 0 && (best === undefined || weight > weightOf(best.encoding))) best = variant;
  }
  return best;
}
