import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every common build). */
const TICKS_PER_S = 100;

/** User + system CPU seconds of another process, from /proc (undefined elsewhere or once it exited). */
async function processCpuS(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // the command name, which may hold spaces, sits in parentheses; after it come fields 3, 4, …
    // (utime and stime are fields 14 and 15)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/**
 * CPU used over one stage by this process (the emulators and the receiver, and the services when
 * they run here) and by the other processes named (the service's own, the database server), in
 * cores: whether a stage was short of CPU or waiting on something else.
 */
export async function cpuUse(others: Record<string, number | undefined>) {
  const startedAt = performance.now();
  const own = process.cpuUsage();
  const named = Object.entries(others).filter((e): e is [string, number] => e[1] !== undefined);
  const before = await Promise.all(named.map(([, pid]) => processCpuS(pid)));
  return {
    stop: async () => {
      const wallS = (performance.now() - startedAt) / 1000;
      const used = process.cpuUsage(own);
      const after = await Promise.all(named.map(([, pid]) => processCpuS(pid)));
      const cores = (s: number) => Math.round((s / wallS) * 100) / 100;
      const elsewhere: Record<string, number> = {};
      named.forEach(([name], i) => {
        const [a, b] = [before[i], after[i]];
        if (a !== undefined && b !== undefined) elsewhere[`${name}Cores`] = cores(b - a);
      });
      return {
        wallS: Math.round(wallS * 100) / 100,
        benchProcessCores: cores((used.user + used.system) / 1e6),
        ...elsewhere,
        machineCores: availableParallelism(),
      };
    },
  };
}
