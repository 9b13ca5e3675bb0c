/**
 * QEMU version strings as they appear in release numbers and machine type
 * names: "2.4", "2.12", "4.0.1", "8.0.1". Compared numerically part by part,
 * so "2.12" sorts after "2.9" (a string compare would not).
 */

export type VersionString = string;

/** Splits "4.0.1" into [4, 0, 1]; throws on anything that is not dotted digits. */
export function parseVersion(v: VersionString): number[] {
  if (!/^\d+(\.\d+)*$/.test(v)) throw new Error(`not a QEMU version: ${JSON.stringify(v)}`);
  return v.split('.').map(Number);
}

/**
 * Negative when a < b, zero when equal ("2.4" equals "2.4.0"), positive when
 * a > b. Walks the characters instead of splitting: the catalog compares
 * versions in its hot paths (compat resolution, machine lists).
 */
export function compareVersions(a: VersionString, b: VersionString): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let x = 0;
    for (; i < a.length && a.charCodeAt(i) !== 46; i++) x = x * 10 + digit(a, i);
    i++;
    let y = 0;
    for (; j < b.length && b.charCodeAt(j) !== 46; j++) y = y * 10 + digit(b, j);
    j++;
    if (x !== y) return x - y;
  }
  return 0;
}

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  if (d < 0 || d > 9) throw new Error(`not a QEMU version: ${JSON.stringify(s)}`);
  return d;
}

export const versionLt = (a: VersionString, b: VersionString): boolean => compareVersions(a, b) < 0;
export const versionLe = (a: VersionString, b: VersionString): boolean => compareVersions(a, b) <= 0;
export const versionGe = (a: VersionString, b: VersionString): boolean => compareVersions(a, b) >= 0;

/** Ascending copy. */
export function sortVersions(vs: readonly VersionString[]): VersionString[] {
  return [...vs].sort(compareVersions);
}

/** "2.12" -> "2_12", the suffix QEMU uses in hw_compat_2_12. */
export function versionSuffix(v: VersionString): string {
  return v.replace(/\./g, '_');
}
