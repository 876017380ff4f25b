import type { PairData, ReportData } from './collect.js';
import { pairReport } from './compute.js';
import type { PairReport } from './schemas.js';

/** What a pair's report reads besides its weeks. */
export type PairInputs = Pick<ReportData, 'agendas' | 'homework' | 'rules'>;

/** Pair reports worked out as of `now` (ms) at `threshold`, in the order of the pairs; their JSON too when asked. */
export interface EarlyPairReports {
  now: number;
  threshold: number;
  pairs: PairReport[];
  json: string[] | undefined;
}

/**
 * Works each pair's report out as soon as the pair is whole and its facts are counted, while the
 * report's later pages are still coming: the agenda service waits for most of that time, and the
 * pairs' figures and their JSON (~12 MB for 1,000 pairs) were otherwise all worked out after the
 * last page, while the caller waited.
 */
export class EarlyPairs {
  private readonly pairs: PairReport[] = [];
  private readonly json: string[] | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Pairs handed over so far (those after `pairs.length` are being worked out). */
  private taken = 0;

  constructor(
    private readonly now: Date,
    private readonly threshold: number,
    json: boolean,
  ) {
    this.json = json ? [] : undefined;
  }

  /**
   * The pairs so far, in order, the last `unfinished` of them perhaps still missing series; those
   * before are whole once `counted` resolves (their facts are counted), and `inputs` then has them.
   */
  add(all: readonly PairData[], unfinished: number, counted: Promise<void>, inputs: () => PairInputs): void {
    const whole = all.slice(this.taken, all.length - unfinished);
    if (!whole.length) return;
    this.taken += whole.length;
    // in order, each page after the one before: a failed read fails the report anyway (collect awaits it)
    this.chain = Promise.all([this.chain, counted]).then(() => {
      const data = inputs();
      for (const pair of whole) {
        pair.weeks.sort((a, b) => a.at - b.at);
        const report = pairReport(pair, data, this.now, this.threshold);
        this.pairs.push(report);
        this.json?.push(JSON.stringify(report));
      }
    });
    this.chain.catch(() => undefined); // awaited in result()
  }

  /** Every pair's report, once the pairs not yet worked out are (call after the last page). */
  async result(): Promise<EarlyPairReports> {
    await this.chain;
    return { now: this.now.getTime(), threshold: this.threshold, pairs: this.pairs, json: this.json };
  }
}
