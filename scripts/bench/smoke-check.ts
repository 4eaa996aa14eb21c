import type { BodyCheck } from './scenario-queries.js';

/** Requests sent one by one to one server before any load, each answer judged by `check`. */
export interface SmokeCheck {
  url: string;
  bodies: string[];
  check: (body: string) => BodyCheck;
}

/**
 * A few sequential requests before any load: a misconfigured server (wrong key, stale dist/) fails here in a
 * second with its answer, instead of as thousands of errors in a table. Warms connection pools on the way.
 */
export async function smokeCheck({ url, bodies, check }: SmokeCheck): Promise<void> {
  for (const body of bodies) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const verdict = check(text);
    if (!response.ok || !verdict.ok) {
      throw new Error(`smoke check against ${url} failed: HTTP ${response.status}, ${verdict.ok ? 'body ok' : verdict.problem}`);
    }
  }
}
