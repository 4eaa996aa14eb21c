/**
 * API_CALL_REPEAT detection: the platform refuses a signed request it has already seen. A signature covers
 * the timestamp (and `_nonce`), so only a byte-identical replay repeats `_akey` + `_sig`.
 *
 * Entries older than the retention are useless — such a request fails TIMESTAMP_OVERTIME anyway — and are
 * pruned so a long-running demo does not grow without bound.
 */
export interface ReplayGuard {
  /**
   * Records a request that passed the signature check and returns when the same `_akey` + `_sig` was
   * previously seen within the retention (epoch ms), or `null`.
   */
  remember(akey: string, sig: string, now: number): number | null;
  readonly size: number;
}

export function createReplayGuard(retentionMs: () => number): ReplayGuard {
  // Insertion-ordered: re-inserting on every sighting keeps the oldest entries at the front for pruning.
  const seen = new Map<string, number>();
  return {
    get size() {
      return seen.size;
    },
    remember(akey, sig, now) {
      const retention = retentionMs();
      for (const [id, at] of seen) {
        if (now - at <= retention) break;
        seen.delete(id);
      }
      // NUL cannot occur in a decoded `_akey` typed by a human; it keeps "a"+"bc" distinct from "ab"+"c".
      const id = `${akey}\u0000${sig.toUpperCase()}`;
      const previous = seen.get(id);
      seen.delete(id);
      seen.set(id, now);
      return previous !== undefined && now - previous <= retention ? previous : null;
    },
  };
}
