/**
 * A work budget for one load. Reading is bounded by the stream (every read
 * consumes bytes), but some work is not: an array of elements that take no
 * bytes (structs with no fields present at this version) loops its count
 * without consuming anything. The loader spends one step per section, per
 * RAM record and page, and per array element (in bulk, before the loop);
 * when a load runs out it stops with StepBudgetExceeded, which is not a
 * LoadError: a load that needs more work than its budget is a hang finding,
 * not a refusal.
 */
import type { WireReader } from './reader.js';

export class StepBudgetExceeded extends Error {
  override readonly name = 'StepBudgetExceeded';
  constructor(
    readonly limit: number,
    readonly offset: number,
    readonly path: string,
  ) {
    super(`load stopped: step budget of ${limit} exhausted at offset ${offset}${path ? ` (${path})` : ''}`);
  }
}

export class StepBudget {
  private left: number;

  constructor(readonly limit: number) {
    this.left = limit;
  }

  get used(): number {
    return this.limit - this.left;
  }

  spend(n: number, offset: number, path: string): void {
    this.left -= n;
    if (this.left < 0) throw new StepBudgetExceeded(this.limit, offset, path);
  }
}

/** Spends `n` steps from the budget the reader carries (none: free). */
export function spendSteps(r: WireReader, n: number, path: string): void {
  r.budget?.spend(n, r.pos, path);
}
