/**
 * `check` on simulated build:machine pairs, where the booted guest's state
 * decides which subsections are sent. The case: pc-i440fx-2.4 from a 7.2
 * build into a 2.4 build. 7.2's fw_cfg has two subsections 2.4 never had:
 * fw_cfg/dma (needed while DMA is enabled; hw_compat_2_4 sets
 * fw_cfg_io.dma_enabled=off) and fw_cfg/acpi_mr (5.2, needed with
 * acpi-mr-restore; hw_compat_4_2 sets it false). So on this machine type
 * neither is sent: a plain dump comparison calls both missing, the guest's
 * state says they are harmless.
 */
import { describe, expect, it } from 'vitest';
import { staticCheck } from '../../../harness/gate/static-check.js';
import { parseBuildMachine, simulatedDump } from '../../../harness/gate/simulated-dump.js';

describe('simulated build:machine dumps', () => {
  const src = simulatedDump('7.2', 'pc-i440fx-2.4');
  const dst = simulatedDump('2.4', 'pc-i440fx-2.4');
  const missing = ['fw_cfg/dma', 'fw_cfg/acpi_mr'].map((n) => `Section "fw_cfg", Description "fw_cfg": Subsection "${n}" not found`);

  it('without the guest state, both new fw_cfg subsections are missing subsections', () => {
    const r = staticCheck(src.dump, dst.dump);
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual(missing);
  });

  it('with it, neither is sent on pc-i440fx-2.4: warnings, no incompatibility', () => {
    const r = staticCheck(src.dump, dst.dump, { subsectionNeeded: src.needed });
    expect(r.incompatibilities).toBe(0);
    expect(r.findings.map((f) => f.message)).toEqual(missing.map((m) => `${m} (the source does not send it in this configuration)`));
  });

  it('a machine type the build does not offer is refused, not guessed', () => {
    expect(() => simulatedDump('2.4', 'pc-i440fx-7.2')).toThrow(/no machine type 'pc-i440fx-7.2'/);
  });

  it('parses BUILD:MACHINE only for catalog builds', () => {
    expect(parseBuildMachine('7.2:pc-q35-7.2')).toEqual({ build: '7.2', machine: 'pc-q35-7.2' });
    expect(parseBuildMachine('corpus/x.json')).toBeUndefined();
    expect(parseBuildMachine('9.9:pc')).toBeUndefined();
  });
});
