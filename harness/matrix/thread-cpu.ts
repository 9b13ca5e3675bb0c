/**
 * CPU time of the calling thread, from Linux's /proc/thread-self/stat
 * (utime + stime, in USER_HZ ticks of 10 ms). process.cpuUsage counts every
 * thread of the process, so it cannot tell the main thread's share from the
 * workers'. Elsewhere, or if /proc is not mounted: undefined.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc's tick counts, 100 on every Linux architecture Node runs on. */
const TICK_MS = 10;

export function threadCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces, inside parentheses): state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * TICK_MS : undefined;
}
