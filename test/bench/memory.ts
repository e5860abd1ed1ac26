import { readdirSync, readFileSync } from 'node:fs';

/** Resident set of one process in bytes, from /proc; undefined once it has gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** The children of a process (cluster workers, for a primary), from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((part) => part.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** A process and all of its descendants. */
export function processTree(pid: number): number[] {
  return [pid, ...childPids(pid).flatMap(processTree)];
}

/** RSS of a whole process tree: a clustered server's memory is its primary's plus its workers'. */
export function treeRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + (rssBytes(member) ?? 0), 0);
}

/**
 * The highest RSS of a process tree while a scenario runs, read every 100 ms. VmHWM would be the
 * peak over the whole life of the process, earlier scenarios and start-up included.
 */
export class PeakRss {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, treeRssBytes(this.pid));
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads: the event loop, GC, libuv's pool) of one process, in seconds. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process tree, per member, so a sum over an interval counts only what each
 * member spent in it (a worker that appears mid-way counts from zero).
 */
export function treeCpu(pid: number): Map<number, number> {
  return new Map(processTree(pid).map((member) => [member, cpuSeconds(member)]));
}

export function cpuSpentSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [member, seconds] of after) total += seconds - (before.get(member) ?? 0);
  return total;
}
