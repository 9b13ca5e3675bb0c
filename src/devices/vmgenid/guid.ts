import { LoadError } from '../../wire/load-error.js';

/**
 * QEMU's UUID handling for the vmgenid `guid` property (util/uuid.c,
 * hw/core/qdev-properties-system.c set_uuid). A GUID is kept as QEMU keeps
 * a QemuUUID: 16 bytes in the order the string is written (big-endian
 * fields). The guest wants the Microsoft layout, whose first three fields
 * are little-endian: qemu_uuid_bswap converts.
 */
export type Guid = Uint8Array;

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Parse "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87" or "auto" (a random version-4
 * UUID from `random`, which must return 16 bytes; pass a seeded source for
 * determinism). Anything else is refused with qdev's property wording.
 */
export function parseGuid(text: string, random?: () => Uint8Array): Guid {
  if (text === 'auto') {
    if (!random) throw new RangeError('guid=auto needs a random source');
    const g = Uint8Array.from(random().subarray(0, 16));
    if (g.length !== 16) throw new RangeError('random source returned fewer than 16 bytes');
    // qemu_uuid_generate: version 4, variant 10xx.
    g[6] = (g[6]! & 0x0f) | 0x40;
    g[8] = (g[8]! & 0x3f) | 0x80;
    return g;
  }
  if (!UUID_RE.test(text)) {
    throw new LoadError('vmgenid.bad-guid', `Property 'vmgenid.guid' doesn't take value '${text}'`, 0, 'vmgenid/guid');
  }
  return Uint8Array.from(Buffer.from(text.replaceAll('-', ''), 'hex'));
}

export function formatGuid(g: Guid): string {
  const h = Buffer.from(g).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** qemu_uuid_bswap: byte-swap time_low (4), time_mid (2), time_hi_and_version (2). */
export function guidToLittleEndian(g: Guid): Uint8Array {
  const out = Uint8Array.from(g);
  out.set([g[3]!, g[2]!, g[1]!, g[0]!, g[5]!, g[4]!, g[7]!, g[6]!], 0);
  return out;
}
