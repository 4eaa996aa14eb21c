import { performance } from 'node:perf_hooks';

/** Progress goes to stderr, so stdout holds only the report and the JSON line; each line says when (s since start). */
export const progress = (line: string): void => void process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)} s] ${line}\n`);
