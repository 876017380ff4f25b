import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@cadence/shared/logging';

/** A real logger whose JSON lines are kept in memory for assertions. */
export function capturingLogger(service: string): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ service, level: 'debug', destination });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, text };
}
