// QEMU 2.6 (with what 2.5 brought): fw_cfg DMA, e1000's full MAC state,
// and the end of the unmigratable q35 machine types.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_2_6: BuildDelta = {
  version: '2.6',
  base: '2.4',
  released: '2016-04',
  changes: [
    ...machineChanges('2.6', '2.4'),
    {
      kind: 'subsection-added', device: 'fw_cfg_io', section: 'fw_cfg', subsection: 'fw_cfg/dma',
      needed: 'the DMA interface is enabled (dma_enabled=on): its address register is state',
      compat: compatSwitch('hw_compat_2_4', 'fw_cfg_io', 'dma_enabled'),
      reason: 'fw_cfg gains a DMA interface (landed in 2.5); pc-*-2.4 and older keep it off, which later stops vmgenid from working on them',
      source: datedByCompat('hw_compat_2_4', '2.5'),
    },
    {
      kind: 'subsection-added', device: 'e1000', section: 'e1000', subsection: 'e1000/full_mac_state',
      needed: 'extra_mac_registers is on: the whole MAC register file is migrated, not only the classic subset',
      compat: compatSwitch('hw_compat_2_4', 'e1000', 'extra_mac_registers'),
      reason: 'e1000 emulates more MAC registers (landed in 2.5); old machine types neither expose nor migrate them',
      source: datedByCompat('hw_compat_2_4', '2.5'),
    },
  ],
};
