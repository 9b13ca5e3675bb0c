import { describe, expect, it } from 'vitest';
import {
  applyPciDeviceState,
  createPciBus,
  createPciDevice,
  msixInitExclusiveBar,
  msixLoad,
  msixStateObject,
  msixVmsd,
  msixVmstateField,
  pciBusState,
  pciBusVmsd,
  pciDeviceState,
  pciDeviceStructField,
  pciDeviceVmsd,
} from '../../../../src/devices/pci/index.js';
import { dumpVmstate, loadVMState, saveVMState, vmdescFromDescription, type StateObject, type VMStateDescription } from '../../../../src/vmstate/index.js';
import { WireReader, WireWriter, isLoadError } from '../../../../src/wire/index.js';
import { e1000Like, realE1000Config } from './fixtures.js';

function realRecord(config = realE1000Config()): Uint8Array {
  const w = new WireWriter();
  w.i32(2);
  w.bytes(config);
  w.bytes(new Uint8Array(16));
  return w.finish();
}

describe('PCI descriptions through the generic VMState walker', () => {
  it('loads the real e1000 PCIDevice record, then commits with applyPciDeviceState', () => {
    const dev = e1000Like();
    const vmsd = pciDeviceVmsd(dev);
    const r = new WireReader(realRecord());
    const state = loadVMState(r, vmsd, 2, pciDeviceState(dev));
    expect(r.atEnd()).toBe(true);
    expect(state['config']).toEqual(realE1000Config());
    applyPciDeviceState(dev, state);
    expect(dev.config).toEqual(realE1000Config());
  });

  it('saves byte-identically to the direct encoder', () => {
    const dev = e1000Like();
    const w = new WireWriter();
    saveVMState(w, pciDeviceVmsd(dev), pciDeviceState(dev));
    expect(w.finish()).toEqual(realRecord());
  });

  it("describes itself in the vmdesc exactly as real QEMU 7.2 does for e1000's parent_obj", () => {
    // From the vmdesc JSON at the end of /tmp/cap/q35-all.bin, device
    // "0000:00:01.0/e1000", field parent_obj: struct PCIDevice version 2 with
    // version_id "int32 le" 4, config[0] "pci config" 256, irq_state "pci irq state" 16.
    const dev = e1000Like();
    const outer: VMStateDescription = { name: 'e1000', version_id: 2, minimum_version_id: 1, fields: [pciDeviceStructField(dev)] };
    const desc = vmdescFromDescription(outer, { parent_obj: pciDeviceState(dev) }, { name: '0000:00:01.0/e1000', instance_id: 0 });
    expect(desc.fields[0]).toEqual({
      name: 'parent_obj',
      type: 'struct',
      struct: {
        vmsd_name: 'PCIDevice',
        version: 2,
        fields: [
          { name: 'version_id', type: 'int32 le', size: 4 },
          { name: 'config[0]', type: 'pci config', size: 256 },
          { name: 'irq_state', type: 'pci irq state', size: 16 },
        ],
      },
      size: 276,
    });
  });

  it('exports to -dump-vmstate exactly as real QEMU 7.2 prints e1000.parent_obj', () => {
    // /tmp/cap/pc-q35-7.2.dump.json, "e1000" -> Description -> Fields[0].
    const real = {
      field: 'parent_obj',
      version_id: 0,
      field_exists: false,
      size: 2608,
      Description: {
        name: 'PCIDevice',
        version_id: 2,
        minimum_version_id: 1,
        Fields: [
          { field: 'version_id', version_id: 0, field_exists: false, size: 4 },
          { field: 'config', version_id: 0, field_exists: true, size: 256 },
          { field: 'config', version_id: 0, field_exists: true, size: 4096 },
          { field: 'irq_state', version_id: 2, field_exists: false, size: 16 },
        ],
      },
    };
    const e1000: VMStateDescription = { name: 'e1000', version_id: 2, minimum_version_id: 1, fields: [pciDeviceStructField(e1000Like())] };
    const dump = JSON.parse(dumpVmstate(new Map([['e1000', e1000]]), 'pc-q35-7.2'));
    expect(dump.e1000.Description.Fields[0]).toEqual(real);
  });

  it('describes e1000e-style PCIDevice + VMSTATE_MSIX as real QEMU 7.2 does (vmdesc and dump)', () => {
    // Real e1000e (5 MSI-X vectors, Express): vmdesc fields parent_obj[0]
    // (PCIDevice, config[1] 4096) and parent_obj[1] (msix, "msix state" 81 =
    // 5 * 16 + 1); dump: the msix struct field has size 2608 and its one
    // field size 0 ("ouch" in msix.c).
    const dev = createPciDevice({ name: 'e1000e', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true });
    msixInitExclusiveBar(dev, 5, 3);
    const e1000e: VMStateDescription = {
      name: 'e1000e',
      version_id: 1,
      minimum_version_id: 1,
      fields: [
        { ...pciDeviceStructField(dev), key: 'pci' },
        { ...msixVmstateField(dev), key: 'msix' },
      ],
    };
    const desc = vmdescFromDescription(e1000e, { pci: pciDeviceState(dev), msix: msixStateObject(dev) }, { name: '0000:00:01.0/e1000e', instance_id: 0 });
    expect(desc.fields.map((f) => [f.name, f.size])).toEqual([
      ['parent_obj[0]', 4116],
      ['parent_obj[1]', 81],
    ]);
    expect((desc.fields[0] as { struct: { fields: { name: string }[] } }).struct.fields.map((f) => f.name)).toEqual(['version_id', 'config[1]', 'irq_state']);
    expect(desc.fields[1]).toMatchObject({ type: 'struct', struct: { vmsd_name: 'msix', version: 0, fields: [{ name: 'msix', type: 'msix state', size: 81 }] } });
    const dump = JSON.parse(dumpVmstate(new Map([['e1000e', e1000e]]), 'pc-q35-7.2'));
    expect(dump.e1000e.Description.Fields[1]).toEqual({
      field: 'parent_obj',
      version_id: 0,
      field_exists: false,
      size: 2608,
      Description: { name: 'msix', version_id: 0, minimum_version_id: 0, Fields: [{ field: 'msix', version_id: 0, field_exists: false, size: 0 }] },
    });
  });

  it("propagates post_load's coded refusal (pci.bad-config-data, QEMU's wording)", () => {
    const config = realE1000Config();
    config[2] = 0x0f;
    const dev = e1000Like();
    try {
      loadVMState(new WireReader(realRecord(config)), pciDeviceVmsd(dev), 2, pciDeviceState(dev));
      throw new Error('accepted');
    } catch (e) {
      expect(isLoadError(e) && [e.code, e.message]).toEqual([
        'pci.bad-config-data',
        'get_pci_config_device: Bad config data: i=0x2 read: f device: e cmask: ff wmask: 0 w1cmask:0',
      ]);
    }
    expect(dev.config).toEqual(realE1000Config()); // untouched
  });

  it('locates a refusal of a nested PCIDevice at its stream byte and under its field, wherever the struct starts', () => {
    // Seven bytes of another field first, then the struct: be32 version_id, config[0..255], irq_state.
    const dev = e1000Like();
    const outer: VMStateDescription = { name: 'nic', version_id: 1, minimum_version_id: 1, fields: [{ name: 'pad', kind: 'buffer', size: 7 }, pciDeviceStructField(dev)] };
    const config = realE1000Config();
    config[2] = 0x0f;
    const irq = new Uint8Array(16);
    irq[7] = 2; // the second pin's be32 word: 2
    const record = (cfg: Uint8Array, irqState = new Uint8Array(16)) => {
      const w = new WireWriter();
      w.bytes(new Uint8Array(7)).i32(2).bytes(cfg).bytes(irqState);
      return w.finish();
    };
    const local: StateObject = { pad: new Uint8Array(7), parent_obj: pciDeviceState(dev) };
    const refusal = (bytes: Uint8Array) => {
      try {
        loadVMState(new WireReader(bytes), outer, 1, local, { path: 'dev0' });
      } catch (e) {
        if (isLoadError(e)) return [e.code, e.offset, e.path];
        throw e;
      }
      return 'accepted';
    };
    expect(refusal(record(config))).toEqual(['pci.bad-config-data', 7 + 4 + 2, 'dev0/parent_obj/config']);
    expect(refusal(record(realE1000Config(), irq))).toEqual(['pci.irq-state-invalid', 7 + 4 + 256 + 4, 'dev0/parent_obj/irq_state']);
  });

  it('nests as VMSTATE_PCI_DEVICE inside a device description, with MSI-X after it', () => {
    const dev = createPciDevice({ name: 'nic', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true });
    msixInitExclusiveBar(dev, 5, 3);
    const outer: VMStateDescription = {
      name: 'nic',
      version_id: 1,
      minimum_version_id: 1,
      fields: [pciDeviceStructField(dev, 'parent_obj'), { name: 'msix', kind: 'struct', vmsd: msixVmsd(dev) }],
    };
    const local: StateObject = { parent_obj: pciDeviceState(dev), msix: msixStateObject(dev) };
    const w = new WireWriter();
    saveVMState(w, outer, local);
    // 4 + 4096 (Express config) + 16, then 5 * 16 table bytes + 1 PBA byte.
    expect(w.finish()).toHaveLength(4 + 4096 + 16 + 81);
    const loaded = loadVMState(new WireReader(w.finish()), outer, 1, local);
    applyPciDeviceState(dev, loaded['parent_obj'] as StateObject);
    msixLoad(dev, (loaded['msix'] as StateObject)['msix'] as Uint8Array);
  });

  it('loads the real q35 PCIBUS body', () => {
    const bus = createPciBus(8);
    const body = new Uint8Array(36);
    body[3] = 8;
    const state = loadVMState(new WireReader(body), pciBusVmsd(bus), 1, pciBusState(bus));
    expect(state['irq_count']).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const wrong = createPciBus(4);
    // The walker's INT32_EQUAL gives the same wording as loadPciBus and real QEMU.
    expect(() => loadVMState(new WireReader(body), pciBusVmsd(wrong), 1, pciBusState(wrong))).toThrow('4 != 8');
  });
});
