import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of a live process, from /proc (Linux). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may contain spaces; fields after it are fixed
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, grandchildren…). */
export function descendantsOf(root: number): number[] {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const parents = new Map(pids.map((pid) => [pid, parentOf(pid)]));
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const current = queue.shift()!;
    for (const [pid, ppid] of parents) {
      if (ppid === current && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // a zombie still answers signal 0; it has exited all the same
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
