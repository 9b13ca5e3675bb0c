import type { RamBlockOptions } from '../../memory/ram-block.js';

/**
 * PCI option ROM RAM blocks (hw/pci/pci.c pci_add_option_rom): a NIC's boot
 * ROM is loaded into a RAM block named "<pci path>/<type>.rom" whose size is
 * the ROM file's size rounded up to a power of two (or the romsize
 * property). romfile= (empty) means no ROM and no block.
 */

/** Default romfile per NIC type in QEMU 7.2 (the efi-*.rom iPXE images). */
export const DEFAULT_NIC_ROMFILE: Record<string, string> = {
  e1000: 'efi-e1000.rom',
  e1000e: 'efi-e1000e.rom',
  'virtio-net-pci': 'efi-virtio.rom',
  rtl8139: 'efi-rtl8139.rom',
  ne2k_pci: 'efi-ne2k_pci.rom',
  pcnet: 'efi-pcnet.rom',
  i82559er: 'efi-eepro100.rom',
};

/**
 * Sizes of those files in Debian's ipxe-qemu (1.0.0+git-20190125.36a4c85-5.1, what the real 7.2
 * captures used: /usr/lib/ipxe/qemu). efi-e1000.rom is 249856 = 0x3d000
 * bytes, so its block is 0x40000, as `info ramblock` shows for
 * 0000:00:01.0/e1000.rom.
 */
export const DEBIAN_ROMFILE_SIZES: Record<string, number> = {
  'efi-e1000.rom': 249856,
  'efi-e1000e.rom': 249856,
  'efi-virtio.rom': 249344,
  'efi-rtl8139.rom': 249856,
  'efi-ne2k_pci.rom': 245760,
  'efi-pcnet.rom': 246272,
  'efi-eepro100.rom': 247808,
};

export function pow2ceil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export interface OptionRomSpec {
  /** PCI path as in the RAM block name, e.g. "0000:00:02.0". */
  pciPath: string;
  /** QOM type name, e.g. "e1000". */
  type: string;
  /** The romfile property: undefined = the type's default, '' = no ROM. */
  romfile?: string;
  /** The romsize property (must be a power of two, at least the file size). */
  romsize?: number;
  /** Size of the ROM file; defaults to Debian's file of that name. */
  fileSize?: number;
}

/** The option ROM block a device gets, or undefined when it has none. */
export function optionRomBlock(spec: OptionRomSpec): RamBlockOptions | undefined {
  const romfile = spec.romfile ?? DEFAULT_NIC_ROMFILE[spec.type];
  if (!romfile) return undefined;
  const size = spec.fileSize ?? DEBIAN_ROMFILE_SIZES[romfile];
  if (size === undefined) throw new RangeError(`failed to find romfile "${romfile}"`);
  let romsize = pow2ceil(size);
  if (spec.romsize !== undefined) {
    if (spec.romsize !== pow2ceil(spec.romsize)) throw new RangeError(`ROM size 0x${spec.romsize.toString(16)} is not a power of two`);
    if (size > spec.romsize) {
      throw new RangeError(`romfile "${romfile}" (${size} bytes) is too large for ROM size ${spec.romsize}`);
    }
    romsize = spec.romsize;
  }
  return { idstr: `${spec.pciPath}/${spec.type}.rom`, usedLength: romsize, maxLength: romsize, resizeable: false, migratable: true };
}
