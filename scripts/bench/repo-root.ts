import { fileURLToPath } from 'node:url';

/** The repository's root: where `npm run build` runs, the servers start and git is asked. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
