import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServiceEntries {
  scheduling: string;
  agenda: string;
  /** Node flags for the services (undefined: this process's, so tsx runs the sources). */
  execArgv: string[] | undefined;
}

/**
 * The services as production runs them (the Dockerfile: `node services/<name>/dist/main.js`, built
 * here first with `npm run build`), or from the TypeScript sources under tsx (`fromSource`), whose
 * compiler and source maps cost each process ~30 MB more and make every captured stack trace
 * dearer. `cpuProfileDir`: each service writes a .cpuprofile there when it exits.
 */
export function serviceEntries(
  fromSource: boolean,
  cpuProfileDir: string | undefined,
  log: (line: string) => void,
): ServiceEntries {
  const profile = [
    ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []),
    // flags NODE_OPTIONS refuses (`--trace-gc`): BENCH_SERVICE_FLAGS, split at spaces
    ...(process.env['BENCH_SERVICE_FLAGS']?.split(' ').filter(Boolean) ?? []),
  ];
  if (fromSource)
    return {
      scheduling: import.meta.resolve('@cadence/scheduling/main'),
      agenda: import.meta.resolve('@cadence/agenda/main'),
      execArgv: profile.length ? [...process.execArgv, ...profile] : undefined,
    };
  const started = performance.now();
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  log(`built the services (npm run build) in ${((performance.now() - started) / 1000).toFixed(1)} s; running dist/main.js`);
  return {
    scheduling: new URL('../../services/scheduling/dist/main.js', import.meta.url).href,
    agenda: new URL('../../services/agenda/dist/main.js', import.meta.url).href,
    execArgv: profile,
  };
}
