import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO_ROOT } from './repo-root.js';

/** The commit measured, and whether the working tree differed from it. Nulls when git cannot say. */
export function gitDescription(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, timeout: 5_000, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, timeout: 5_000, encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** The machine the figures were measured on. */
export function machineDescription(): { node: string; cpus: number; cpuModel: string | null; totalMemGiB: number } {
  const cpus = os.cpus();
  return { node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model ?? null, totalMemGiB: os.totalmem() / 2 ** 30 };
}
