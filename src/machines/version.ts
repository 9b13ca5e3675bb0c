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

/** Negative when a < b, zero when equal ("2.4" equals "2.4.0"), positive when a > b. */
export function compareVersions(a: VersionString, b: VersionString): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
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
