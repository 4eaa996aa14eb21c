/** Latency summary of one scenario, ms. */
export interface LatencyStats {
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * Nearest-rank percentiles over every sample (no histogram buckets): the floor answers in well under a
 * millisecond, which autocannon's whole-millisecond histogram would round to 0 or 1.
 */
export function latencyStats(samples: readonly number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((x, y) => x - y);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return { p50: rank(50), p99: rank(99), mean: sum / sorted.length, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}
