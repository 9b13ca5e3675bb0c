/** Short human forms of cells, shared by every report. */
import { describeVerdict } from '../targets/target.js';
import type { CellResult } from '../matrix/types.js';

export function routeOf(c: CellResult): string {
  const route = c.direction === 'round-trip' ? `${c.from} -> ${c.to} -> ${c.from}` : `${c.from} -> ${c.to}`;
  return c.devices.length ? `${route} [${c.devices.join(' ')}]` : route;
}

export function verdictText(c: CellResult): string {
  return describeVerdict(c.verdict);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
