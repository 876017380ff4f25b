import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Env } from '../config/load.js';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/**
 * Forks a service's main module and waits for it to say where it listens. The child inherits
 * this process's Node flags unless `execArgv` says otherwise, so under tsx it runs the TypeScript
 * sources directly.
 */
export function startService(
  name: string,
  entry: string,
  env: Env,
  timeoutMs = 60_000,
  execArgv?: string[],
): Promise<ServiceProcess> {
  const child = fork(fileURLToPath(entry), [], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(execArgv ? { execArgv } : {}),
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (msg: { type?: string; url?: string }) => {
      if (msg.type === 'listening' && msg.url) {
        clearTimeout(timer);
        resolve({ name, child, url: msg.url, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it started`));
    });
  });
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export async function stopService(proc: ServiceProcess, graceMs: number): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}
