/**
 * CPU time and peak memory of the bench's processes, read from /proc (Linux) without their cooperation: a
 * server's figures are its own `utime + stime` and `VmHWM`, whatever it runs.
 *
 * CPU is read as a difference over a measured run: every server idles between its runs (its event loop waits
 * for sockets), so a run's difference is the work of that run's requests. The peak is per run too: writing `5`
 * to `/proc/<pid>/clear_refs` resets a process's VmHWM to its current RSS (Linux ≥ 4.0, own processes only), so
 * each run's reading is that run's peak; each process's peak over the whole bench is the largest reading taken
 * before any reset. Where the reset is refused, a run's peak is the process's peak so far (`peakSinceStart`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** A process the bench watches: a server, an emulator, or the bench itself (the load generator). */
export interface WatchedProcess {
  name: string;
  pid: number | undefined;
}

/** One process over one measured run, or over several pooled (CPU adds up, the peak is the largest). */
export interface ProcessUsage {
  name: string;
  /** utime + stime over the run(s), ms (resolution: one clock tick, normally 10 ms). */
  cpuMs: number;
  /** `cpuMs` ÷ the requests the run(s) completed; null without requests. */
  cpuMsPerRequest: number | null;
  /** VmHWM during the run(s), MiB; null when /proc could not say. */
  peakRssMiB: number | null;
}

let clockTicks: number | undefined;
/** `getconf CLK_TCK`: the unit of utime/stime in /proc/<pid>/stat (100 on every usual Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of `pid` so far, ms; null once it has exited or where /proc is missing. */
export function cpuMsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) is in parentheses and may contain spaces: count fields after its last `)`.
    // After it come field 3 (state) …; utime and stime are fields 14 and 15, i.e. the 12th and 13th here.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / ticksPerSecond() : null;
  } catch {
    return null;
  }
}

/** VmHWM (peak resident set) of `pid`, KiB; null once it has exited or where /proc is missing. */
export function peakRssKiBOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** Resets VmHWM of `pid` to its current RSS; false when the kernel refused. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const mib = (kib: number | null): number | null => (kib === null ? null : kib / 1024);

/** Every watched process's peak over the whole bench, and whether runs' peaks are their own. */
export class ProcessWatch {
  private readonly peakKiB = new Map<string, number | null>();
  private resetsRefused = false;

  /** True when some run's peak is the process's peak since its start (the reset was refused). */
  get peakSinceStart(): boolean {
    return this.resetsRefused;
  }

  /** Folds the current VmHWM of `process` into its whole-bench peak. */
  private note(process: WatchedProcess): void {
    const kib = peakRssKiBOf(process.pid);
    const seen = this.peakKiB.get(process.name) ?? null;
    this.peakKiB.set(process.name, kib === null ? seen : Math.max(seen ?? 0, kib));
  }

  /** Starts a measured run of `processes`: their CPU so far, and their peaks reset. Call `end` once it is over. */
  begin(processes: readonly WatchedProcess[]): { end(requests: number): ProcessUsage[] } {
    const cpuBefore = processes.map((process) => {
      this.note(process);
      if (process.pid !== undefined && !resetPeak(process.pid)) this.resetsRefused = true;
      return cpuMsOf(process.pid);
    });
    return {
      end: (requests) =>
        processes.map((process, i) => {
          const before = cpuBefore[i] ?? null;
          const after = cpuMsOf(process.pid);
          const cpuMs = before === null || after === null ? 0 : after - before;
          this.note(process);
          return { name: process.name, cpuMs, cpuMsPerRequest: requests > 0 ? cpuMs / requests : null, peakRssMiB: mib(peakRssKiBOf(process.pid)) };
        }),
    };
  }

  /** Reads `process`'s peak now (e.g. before it stops) into its whole-bench peak. */
  observe(process: WatchedProcess): void {
    this.note(process);
  }

  /** Each watched process's largest VmHWM over the bench, MiB. */
  peaksMiB(): Record<string, number | null> {
    return Object.fromEntries([...this.peakKiB].map(([name, kib]) => [name, mib(kib)]));
  }
}

/** Pools one process's usage over several runs: CPU and requests add up, the peak is the largest. */
export function mergeUsage(parts: readonly ProcessUsage[], requests: number): ProcessUsage | null {
  const first = parts[0];
  if (first === undefined) return null;
  const cpuMs = parts.reduce((sum, part) => sum + part.cpuMs, 0);
  const peaks = parts.flatMap((part) => (part.peakRssMiB === null ? [] : [part.peakRssMiB]));
  return { name: first.name, cpuMs, cpuMsPerRequest: requests > 0 ? cpuMs / requests : null, peakRssMiB: peaks.length > 0 ? Math.max(...peaks) : null };
}
