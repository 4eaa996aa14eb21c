import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** e2e tests run the built server, as `npm start` does; build it once for all of them. */
export function setup(): void {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'inherit' });
}
