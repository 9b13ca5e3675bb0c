/**
 * A small AML encoder: just the terms QEMU's generated SSDTs use
 * (hw/acpi/aml-build.c). Each term is a byte array; containers compute
 * their PkgLength the way build_prepend_package_length does, so output is
 * byte-identical to QEMU's for the same term tree.
 */
export type Aml = number[];

const cat = (parts: Aml[]): Aml => parts.flat();

/** A 4-character name segment, padded with '_' (aml_name pads short segments). */
function nameSeg(seg: string): Aml {
  const s = seg.padEnd(4, '_');
  if (s.length !== 4) throw new RangeError(`AML name segment too long: ${seg}`);
  return [...s].map((c) => c.charCodeAt(0));
}

/** NameString: optional '\\' or '^' prefixes, then 1 segment, DualNamePrefix (0x2e) or MultiNamePrefix (0x2f). */
export function amlNameString(path: string): Aml {
  let i = 0;
  const prefix: Aml = [];
  while (path[i] === '\\' || path[i] === '^') prefix.push(path.charCodeAt(i++));
  const rest = path.slice(i);
  const segs = rest.length ? rest.split('.') : [];
  const body = segs.map(nameSeg);
  if (segs.length === 0) return [...prefix, 0x00];
  if (segs.length === 1) return [...prefix, ...body[0]!];
  if (segs.length === 2) return [...prefix, 0x2e, ...cat(body)];
  return [...prefix, 0x2f, segs.length, ...cat(body)];
}

/** PkgLength for `len` bytes of content, counting its own bytes (build_prepend_package_length, incl_self). */
export function amlPkgLength(len: number): Aml {
  let bytes: number;
  if (len + 1 < 1 << 6) bytes = 1;
  else if (len + 2 < 1 << 12) bytes = 2;
  else if (len + 3 < 1 << 20) bytes = 3;
  else bytes = 4;
  const total = len + bytes;
  if (bytes === 1) return [total];
  const out: Aml = [((bytes - 1) << 6) | (total & 0x0f)];
  for (let k = 1; k < bytes; k++) out.push((total >> (4 + 8 * (k - 1))) & 0xff);
  return out;
}

function pkg(op: Aml, content: Aml): Aml {
  return [...op, ...amlPkgLength(content.length), ...content];
}

/** aml_int: ZeroOp, OneOp, or the smallest Byte/Word/DWord/QWord prefix. */
export function amlInt(v: number | bigint): Aml {
  const n = BigInt(v);
  if (n === 0n) return [0x00];
  if (n === 1n) return [0x01];
  if (n === 0xffffffffffffffffn) return [0xff];
  const le = (size: number): Aml => Array.from({ length: size }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  if (n <= 0xffn) return [0x0a, ...le(1)];
  if (n <= 0xffffn) return [0x0b, ...le(2)];
  if (n <= 0xffffffffn) return [0x0c, ...le(4)];
  return [0x0e, ...le(8)];
}

export const amlString = (s: string): Aml => [0x0d, ...[...s].map((c) => c.charCodeAt(0)), 0x00];
export const amlName = (path: string): Aml => amlNameString(path);
export const amlLocal = (n: number): Aml => [0x60 + n];
export const amlNameDecl = (name: string, value: Aml): Aml => [0x08, ...amlNameString(name), ...value];
export const amlScope = (name: string, ...body: Aml[]): Aml => pkg([0x10], [...amlNameString(name), ...cat(body)]);
export const amlDevice = (name: string, ...body: Aml[]): Aml => pkg([0x5b, 0x82], [...amlNameString(name), ...cat(body)]);
/** aml_method with AML_NOTSERIALIZED (flags = arg count). */
export const amlMethod = (name: string, args: number, ...body: Aml[]): Aml => pkg([0x14], [...amlNameString(name), args & 7, ...cat(body)]);
export const amlStore = (src: Aml, dst: Aml): Aml => [0x70, ...src, ...dst];
export const amlIf = (pred: Aml, ...body: Aml[]): Aml => pkg([0xa0], [...pred, ...cat(body)]);
export const amlEqual = (a: Aml, b: Aml): Aml => [0x93, ...a, ...b];
export const amlReturn = (v: Aml): Aml => [0xa4, ...v];
/** aml_package(n) with no elements: PackageOp PkgLength NumElements. */
export const amlPackage = (n: number): Aml => pkg([0x12], [n]);
/** aml_add with no target (NullName). */
export const amlAdd = (a: Aml, b: Aml): Aml => [0x72, ...a, ...b, 0x00];
export const amlIndex = (obj: Aml, idx: Aml): Aml => [0x88, ...obj, ...idx, 0x00];
export const amlNotify = (obj: Aml, v: Aml): Aml => [0x86, ...obj, ...v];
