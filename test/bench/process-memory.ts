import { readFile } from 'node:fs/promises';

/**
 * Peak resident set size of a process in MiB, from `VmHWM` in /proc/<pid>/status (Linux). Why the
 * high-water mark: it is the memory a container limit must allow, not what happens to be resident
 * at the end.
 */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Math.round((Number(match[1]) / 1024) * 10) / 10;
}
