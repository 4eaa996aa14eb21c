/**
 * The compiled gateway modules (`dist/`, what `npm run build` made and `node dist/server.js` runs), for the
 * bench's own servers: the limit servers and the emulator process run the very code the gateway runs, not a
 * second transpilation of `src/`. Types come from `src/`, which `dist/` is compiled from.
 */
import { REPO_ROOT } from './repo-root.js';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** `import('dist/<path>')`, typed as the `src/` module it was compiled from (pass `typeof import(...)`). */
export async function importDist<Module>(path: string): Promise<Module> {
  return (await import(pathToFileURL(join(REPO_ROOT, 'dist', path)).href)) as Module;
}
