import { readdirSync } from 'node:fs';

/**
 * `npm run bench [name…]`: runs bench/<name>.ts (each exports `run()`), or every benchmark when
 * no name is given. Benchmarks print figures; they are not tests.
 */
const here = new URL('.', import.meta.url);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !available.includes(n));
if (unknown.length) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')} (available: ${available.join(', ')})\n`);
  process.exit(1);
}
for (const name of wanted.length ? wanted : available) {
  process.stdout.write(`\n== ${name} ==\n`);
  const bench = (await import(new URL(`${name}.ts`, here).href)) as { run: () => Promise<void> };
  await bench.run();
}
process.exit(0);
