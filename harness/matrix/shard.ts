/**
 * Sharding for CI job matrices: shard i of n takes every n-th source guest
 * with its cells (round-robin, so each shard gets a mix of cheap and
 * expensive machine types), and a merge joins shard results of the same
 * plan back into one.
 */
import { createHash } from 'node:crypto';
import { sourceGuestKey } from './plan.js';
import type { PlannedCell } from './types.js';
import { ResultFileError, totalsOf, type MatrixResult, type Shard } from '../report/model.js';

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new RangeError(`--shard wants i/n with 1 <= i <= n, got '${text}'`);
  return { index, count };
}

/**
 * Shard i of n takes every n-th source guest (round-robin over the guests
 * in plan order, so each shard gets a mix of machine types), with all the
 * cells leaving that guest: a shard then boots and saves each of its guests
 * once (see sim-engine.ts) instead of once per cell.
 */
export function shardCells<T extends PlannedCell>(cells: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...cells];
  const guests = new Map<string, number>();
  return cells.filter((c) => {
    const key = sourceGuestKey(c);
    let g = guests.get(key);
    if (g === undefined) guests.set(key, (g = guests.size));
    return g % shard.count === shard.index - 1;
  });
}

export function planHash(cells: readonly PlannedCell[]): string {
  const h = createHash('sha256');
  for (const c of cells) h.update(`${c.id}\n`);
  return h.digest('hex').slice(0, 16);
}

/**
 * Joins shard results into one result. Refuses shards of different plans,
 * the same shard twice, and cells that appear in two shards; a merge of
 * only some shards is allowed and keeps the list in plan.mergedShards.
 */
export function mergeResults(parts: readonly MatrixResult[], runId: string): MatrixResult {
  const first = parts[0];
  if (first === undefined) throw new ResultFileError('nothing to merge');
  const seenShards = new Set<number>();
  const cellIds = new Set<string>();
  const cells = [];
  for (const p of parts) {
    if (p.plan.planHash !== first.plan.planHash) throw new ResultFileError(`run ${p.runId} is from another plan (${p.plan.planHash} != ${first.plan.planHash})`);
    const shards = p.plan.mergedShards ?? (p.plan.shard ? [p.plan.shard.index] : []);
    for (const s of shards) {
      if (seenShards.has(s)) throw new ResultFileError(`shard ${s} given twice`);
      seenShards.add(s);
    }
    for (const c of p.cells) {
      if (cellIds.has(c.id)) throw new ResultFileError(`cell ${c.id} appears in two results`);
      cellIds.add(c.id);
      cells.push(c);
    }
  }
  const order = new Map<string, number>();
  for (const p of parts) {
    const n = p.plan.shard?.count ?? 1;
    const i = (p.plan.shard?.index ?? 1) - 1;
    // Cells carry their plan index; results written before it was recorded were sharded
    // cell by cell, where cell k of shard i is plan index k*n + (i-1).
    p.cells.forEach((c, k) => order.set(c.id, typeof c.index === 'number' ? c.index : p.plan.shard ? k * n + i : order.size));
  }
  cells.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const builds = new Map(parts.flatMap((p) => p.builds).map((b) => [b.name, b] as const));
  const wallMs = Math.max(...parts.map((p) => p.timings.wallMs));
  const { shard: _drop, ...plan } = first.plan;
  return {
    ...first,
    runId,
    builds: [...builds.values()],
    plan: { ...plan, mergedShards: [...seenShards].sort((a, b) => a - b) },
    cells,
    totals: totalsOf(cells),
    timings: {
      startedAt: parts.map((p) => p.timings.startedAt).sort()[0] ?? first.timings.startedAt,
      wallMs,
      workers: parts.reduce((s, p) => s + p.timings.workers, 0),
      cellsPerSecond: wallMs > 0 ? (cells.length * 1000) / wallMs : 0,
      saveMs: parts.reduce((s, p) => s + p.timings.saveMs, 0),
      loadMs: parts.reduce((s, p) => s + p.timings.loadMs, 0),
      // Shards ran in separate processes: only their total process CPU adds up.
      ...(parts.every((p) => p.timings.cpu !== undefined) ? { cpu: { processMs: parts.reduce((s, p) => s + (p.timings.cpu?.processMs ?? 0), 0) } } : {}),
    },
    notes: [...new Set(parts.flatMap((p) => p.notes))],
  };
}
