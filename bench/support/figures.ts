/** The p-th percentile (nearest rank) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Figure {
  value: number;
  unit: string;
  /** e.g. `< 1000` or `<= 2`; absent for figures without a target */
  target?: string;
  met?: boolean;
}

/** A figure beside its target: `met` says whether `value` satisfies `op limit`. */
export function figure(value: number, unit: string, op?: '<' | '<=' | '==', limit?: number): Figure {
  if (op === undefined || limit === undefined) return { value, unit };
  const met = op === '<' ? value < limit : op === '<=' ? value <= limit : value === limit;
  return { value, unit, target: `${op} ${limit}`, met };
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : n);

/** Prints each figure on a line beside its target, then everything as one JSON line (the last line). */
export function report(benchmark: string, figures: Record<string, Figure>, extra: Record<string, unknown> = {}): void {
  for (const [name, f] of Object.entries(figures)) {
    const verdict = f.target ? `  target ${f.target} ${f.unit}: ${f.met ? 'met' : 'NOT met'}` : '';
    process.stdout.write(`${name.padEnd(28)} ${String(round(f.value)).padStart(10)} ${f.unit}${verdict}\n`);
  }
  const json = Object.fromEntries(Object.entries(figures).map(([k, f]) => [k, { ...f, value: round(f.value) }]));
  process.stdout.write(`${JSON.stringify({ benchmark, ...extra, figures: json })}\n`);
}
