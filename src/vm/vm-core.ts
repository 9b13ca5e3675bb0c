/**
 * The data of a simulated machine: plain objects, no hidden globals. The
 * methods of `Vm` (src/vm.ts) are thin wrappers over functions taking this.
 */
import type { RamList } from '../memory/index.js';
import type { DestinationSection } from '../migration/index.js';
import type { StateObject, VMStateDescription } from '../vmstate/index.js';
import type { VmGenId } from '../devices/vmgenid/index.js';
import type { MachinePlan } from './build-adapter.js';
import type { PciBinding } from './pci-model.js';

export interface VmSection extends DestinationSection {
  vmsd: VMStateDescription;
  state: StateObject;
  /** The -device word that added the section (board sections: undefined). */
  device?: string;
  pci?: PciBinding;
}

export interface FirmwareInfo {
  /** Whether firmware ran (a source boots it; an incoming destination does not). */
  ran: boolean;
  /** Guest addresses the linker/loader allocated, by fw_cfg file name. */
  allocations: Record<string, number>;
  /** BARs firmware assigned: "0000:00:02.0/e1000 BAR0" -> address. */
  bars: Record<string, string>;
  /** vmgenid GUID address (0 when no vmgenid or not written). */
  vmgenidAddr: number;
  /** Why a firmware step was skipped (board not modelled ...). */
  notes: string[];
}

export interface VmCore {
  build: string;
  machine: string;
  seed: number;
  plan: MachinePlan;
  ram: RamList;
  sections: VmSection[];
  firmware: FirmwareInfo;
  vmgenid?: VmGenId;
  /** Workload rounds run so far (each round continues the seeded sequence). */
  workloadRounds: number;
  /**
   * QEMU's run state: 'prelaunch' for a machine that never ran (-S, or an
   * incoming destination), 'running' once firmware or the workload ran. It
   * decides whether an optional globalstate section is sent.
   */
  runState: 'prelaunch' | 'running';
}
