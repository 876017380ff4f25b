import { GoogleEmulator } from './emulator.js';

/**
 * Runs the emulator as its own process (for benchmarks):
 *   node --import tsx test/emulators/google/main.ts [--port=N] [--client-id=…] [--client-secret=…]
 * Prints one JSON line with the addresses and client credentials, then serves until SIGINT/SIGTERM.
 * Drive it through the `/_emulator` HTTP routes.
 */

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

const emulator = new GoogleEmulator({ clientId: arg('client-id'), clientSecret: arg('client-secret') });
await emulator.listen(Number(arg('port') ?? 0));
process.stdout.write(
  `${JSON.stringify({ url: emulator.url, tokenUrl: emulator.tokenUrl, authUrl: emulator.authUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret })}\n`,
);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
