import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * This process's CPU profile over one stage of a benchmark, when BENCH_CPU_PROFILE names a file
 * (a .cpuprofile that Chrome DevTools opens); `stop` writes it and prints where the CPU went,
 * by function and by package. The services, the emulators and the receiver all run in the
 * benchmark's process, so this says which of them the stage waited on.
 */
export async function cpuProfile(file: string | undefined, log: (line: string) => void) {
  if (!file) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await writeFile(file, JSON.stringify(profile));
      const nodes = profile.nodes as ProfileNode[];
      const total = nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
      const by = (key: (n: ProfileNode) => string) => {
        const sums = new Map<string, number>();
        for (const n of nodes) sums.set(key(n), (sums.get(key(n)) ?? 0) + (n.hitCount ?? 0));
        return [...sums].sort((a, b) => b[1] - a[1]).slice(0, 15);
      };
      const where = (url: string) =>
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
        /\/(services\/[^/]+|shared|test|bench)\//.exec(url)?.[1] ??
        (url || '(native)');
      const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
      log(`cpu profile → ${file} (${total} samples)`);
      log('  by package:');
      for (const [k, n] of by((n) => where(n.callFrame.url))) log(`    ${pct(n)}  ${k}`);
      log('  by function (self time):');
      for (const [k, n] of by(
        (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
      ))
        log(`    ${pct(n)}  ${k}`);
    },
  };
}
