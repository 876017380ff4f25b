import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const started = new Set<ChildProcess>();
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

export interface ServiceChild {
  child: ChildProcess;
  url: string;
  /** What the process wrote so far: its log lines (warn and above, on stdout) and Node's warnings (stderr). */
  output: () => string;
}

/**
 * The scheduling service as its own process (`main.ts` under tsx, configured only through its
 * environment, as production runs it), announcing its URL over IPC; killed after the file's tests.
 */
export async function schedulingProcess(env: Record<string, string>): Promise<ServiceChild> {
  const child = fork(fileURLToPath(new URL('../../services/scheduling/src/main.ts', import.meta.url)), [], {
    cwd: root,
    execArgv: ['--import', 'tsx', '--conditions=development'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SCHEDULING_PORT: '0',
      WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true',
      ...env,
    },
  });
  started.add(child);
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start in time:\n${output}`)), 60_000);
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'listening' && m.url) {
        clearTimeout(timer);
        resolve(m.url);
      }
    });
    child.on('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
  });
  return { child, url, output: () => output };
}
