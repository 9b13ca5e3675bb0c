/**
 * The registry of every check the loader performs, by stable code.
 *
 * A check is data: its code, the layer that owns it and what it guards. The
 * fuzzer reports which codes a campaign reached; a LoadError may only carry a
 * code registered here, so a typo in a code is a type error, not a silent
 * new category.
 */
export const CHECKS = {
  // wire
  'wire.truncated': 'a read needs more bytes than the stream holds',
  'wire.limit': 'a length field exceeds a configured hard limit',
  // stream structure
  'stream.bad-magic': 'the stream does not start with QEVM',
  'stream.v2-obsolete': 'SaveVM v2 streams are no longer accepted',
  'stream.unsupported-version': 'stream version other than 3',
  'stream.config-missing': 'a machine that sends configuration got none',
  'stream.machine-mismatch': 'configuration names a different machine type',
  'stream.unknown-section-type': 'a section type byte QEMU does not know',
  'stream.unknown-section': 'a section idstr/instance the destination does not have',
  'stream.unknown-section-id': 'PART/END for a section id never started',
  'stream.trailing-data': 'bytes after EOF that are not a vmdesc',
  'stream.vmdesc-invalid': 'the trailing vmdesc is not valid JSON',
  'section.footer-missing': 'no SECTION_FOOTER where one was expected',
  'section.footer-mismatch': 'the footer carries another section id',
  'section.version-too-new': 'incoming version_id above the local one',
  'section.version-too-old': 'incoming version_id below the local minimum',
  // vmstate fields
  'vmstate.equal-mismatch': 'an *_EQUAL field differs from the local value',
  'vmstate.array-too-large': 'a variable array count is above its bound',
  'vmstate.buffer-too-large': 'a variable buffer size is above its bound',
  'vmstate.validate-failed': 'a VMSTATE_VALIDATE condition failed',
  'vmstate.subsection-unknown': 'a subsection the local description lacks',
  'vmstate.subsection-version': 'a subsection version the local side cannot load',
  'vmstate.bool-invalid': 'a bool byte other than 0 or 1',
  'vmstate.post-load-failed': 'a post_load hook refused the state',
  'vmstate.description-invalid': 'a -dump-vmstate or vmdesc description is malformed',
  'vmstate.opaque-section': 'a section cannot be decoded without a description',
  // RAM
  'ram.unknown-block': 'MEM_SIZE names a block the destination does not have',
  'ram.size-mismatch': 'a fixed-size block has another length',
  'ram.length-too-large': 'a resizeable block is longer than its max_length',
  'ram.total-mismatch': 'the MEM_SIZE total disagrees with the block list',
  'ram.bad-block-name': 'a page record names an unknown block',
  'ram.continue-without-block': 'RAM_SAVE_FLAG_CONTINUE before any block was named',
  'ram.offset-out-of-range': 'a page offset lies beyond the block used_length',
  'ram.unknown-flags': 'an unknown combination of RAM flags',
  'ram.zero-page-nonzero': 'a ZERO page record with a non-zero fill byte',
  'ram.block-not-migratable': 'the stream carries a block not registered for migration',
  // PCI core (src/devices/pci)
  'pci.bad-config-data': 'a read-only, checked config byte differs from the destination device (get_pci_config_device)',
  'pci.irq-state-invalid': 'a PCI irq_state word other than 0 or 1',
  'pci.version-invalid': 'PCIDevice version_id negative or above the local one (int32 le)',
  'pci.legacy-version-unsupported': 'historic pci_device_load: version_id above 3',
  'pci.cap-present-unsupported': 'historic v3 format: cap_present has bits outside cap_supported',
  'pci.cap-list-cycle': 'the capability list loops back on itself',
  'pci.cap-pointer-out-of-range': 'a capability pointer below 0x40, unaligned, or past the end of config space',
  'pci.cap-overlap': 'a capability added at an offset that overlaps an existing one',
  'pci.cap-no-space': 'no free config space for a capability of that size',
  // BIOS linker/loader (etc/table-loader), as firmware executes it
  'linker.table-misaligned': 'the loader table length is not a multiple of the 128-byte entry size',
  'linker.name-unterminated': 'a file name fills its 56-byte field without a NUL',
  'linker.unknown-file': 'a command names a file fw_cfg does not have',
  'linker.not-allocated': 'a command uses a file no earlier ALLOCATE loaded',
  'linker.duplicate-allocate': 'a file is allocated twice',
  'linker.bad-alignment': 'an ALLOCATE alignment that is not a power of two',
  'linker.bad-zone': 'an ALLOCATE zone other than HIGH (1) or FSEG (2)',
  'linker.out-of-memory': 'an allocation does not fit its zone',
  'linker.pointer-size': 'a pointer size other than 1, 2, 4 or 8',
  'linker.pointer-out-of-bounds': 'offset + size of a patched pointer lies past the end of its file',
  'linker.src-offset-out-of-bounds': 'a pointer source offset at or past the end of the source file',
  'linker.pointer-overflow': 'a patched address does not fit the pointer size',
  'linker.checksum-out-of-bounds': 'a checksum byte or range lies outside its file',
  // fw_cfg
  'fwcfg.unknown-file': 'a fw_cfg file name that is not in the directory',
  'fwcfg.duplicate-file': 'a fw_cfg file added twice',
  'fwcfg.too-many-files': 'the file directory is full (file_slots)',
  'fwcfg.name-too-long': 'a fw_cfg file name longer than 55 bytes',
  'fwcfg.write-denied': 'a write to a read-only fw_cfg file',
  'fwcfg.write-out-of-bounds': 'a fw_cfg write past the end of the file',
  'fwcfg.no-dma': 'a DMA operation on a fw_cfg without the DMA interface',
  'fwcfg.acpi-mr-too-large': 'fw_cfg/acpi_mr carries a size above the ACPI block max_length',
  // vmgenid
  'vmgenid.no-dma': 'vmgenid on a machine type whose fw_cfg lacks DMA',
  'vmgenid.duplicate': 'more than one vmgenid device',
  'vmgenid.bad-guid': 'a guid property that does not parse',
  // migration stream (src/migration)
  'stream.config-invalid': 'a configuration subsection the destination refuses (page bits, capabilities)',
  'stream.unsupported-command': 'a QEMU_VM_COMMAND whose effect migcompat does not model (postcopy listening and discards, COLO)',
  'stream.command-unknown': 'a QEMU_VM_COMMAND number QEMU does not know ("MIG_CMD 0x%x unknown")',
  'stream.command-length': 'a QEMU_VM_COMMAND whose length is not the one its command has',
  'stream.command-state': 'a QEMU_VM_COMMAND out of order (PING without a return path, postcopy commands in the wrong postcopy state)',
  'stream.command-invalid': 'a QEMU_VM_COMMAND payload QEMU refuses (advise length, RECV_BITMAP block, a packaged stream shorter than its length)',
  'ram.unsupported-encoding': 'an XBZRLE or RDMA-hook RAM record migcompat does not model',
  // vmstate (appended)
  'vmstate.nullptr-marker': 'a NULL array-of-pointers element is not the nullptr marker byte (0x30)',
  // virtio-pci (src/devices/virtio): virtio_load and the virtio-pci transport
  'virtio.vector-invalid': 'a config or queue MSI-X vector at or above the function\'s vector count (virtio_pci_load_config / load_queue, -EINVAL)',
  'virtio.queue-sel-invalid': 'queue_sel at or above VIRTIO_QUEUE_MAX',
  'virtio.queue-count-invalid': 'more virtqueues than VIRTIO_QUEUE_MAX ("Invalid number of virtqueues")',
  'virtio.config-len-invalid': 'a negative device config length',
  'virtio.queue-index-inconsistent': 'a virtqueue without a ring address but with a non-zero last_avail_idx',
  'virtio.net-peer-feature': 'the virtio-net state needs a backend feature (vnet_hdr, UFO) the destination NIC\'s peer lacks',
  'virtio.layout-mismatch': 'a queue list, config or MAC table of another length leaves the virtio field\'s subsections elsewhere than the destination\'s layout has them (QEMU: a missing section footer)',
  // versioned device model (src/devices/versioned, seed 002)
  'device.parameter-unsupported': 'the source device uses a configuration parameter the destination implementation does not have',
  'device.parameter-mismatch': 'a configuration parameter differs between the source device and the destination device',
} as const;

export type CheckCode = keyof typeof CHECKS;

export function isCheckCode(code: string): code is CheckCode {
  return Object.prototype.hasOwnProperty.call(CHECKS, code);
}

/** Counts how often each check was evaluated; the fuzzer's coverage signal. */
export interface CheckLog {
  reached(code: CheckCode): void;
}

export function createCheckCounter(): CheckLog & { counts: Map<CheckCode, number> } {
  const counts = new Map<CheckCode, number>();
  return {
    counts,
    reached(code) {
      counts.set(code, (counts.get(code) ?? 0) + 1);
    },
  };
}
