import { encodeStream, type SectionItem } from '../../../src/migration/index.js';
import { sectionIndices } from './model-edit.js';
import { pick, type Expectation, type Mutator } from './types.js';

/**
 * PCI config space in a device section (hw/pci/pci.c get_pci_config_device):
 * bytes under cmask and outside wmask must equal the destination's, else
 * "Bad config data". pci_init_cmask covers vendor/device id, revision,
 * class, header type, the capability pointer (0x34) and the status
 * CAP_LIST bit. A section whose first field is VMSTATE_PCI_DEVICE carries
 * an int32 version_id, then the config bytes.
 *
 * The claim holds where devices are modelled (simulated builds, and real
 * QEMU, whose verdicts suites/unit/devices/pci records); a profile
 * destination decodes by vmdesc layout only and makes no claim.
 */
const CONFIG_AT = 4;

interface ConfigEdit {
  offset: number;
  value: (old: number) => number;
  what: string;
}

const EDITS: ConfigEdit[] = [
  { offset: 0x00, value: (o) => o ^ 0xff, what: 'vendor id' },
  { offset: 0x02, value: (o) => o ^ 0x01, what: 'device id' },
  { offset: 0x0e, value: (o) => o ^ 0x80, what: 'header type (multi-function bit)' },
  { offset: 0x06, value: (o) => o ^ 0x10, what: 'status CAP_LIST bit' },
  { offset: 0x34, value: () => 0x20, what: 'capability pointer below 0x40' },
  { offset: 0x34, value: () => 0x41, what: 'unaligned capability pointer' },
  { offset: 0x34, value: () => 0xfd, what: 'capability pointer at the end of config space' },
];

function isPciSection(s: SectionItem): boolean {
  if (s.body.kind !== 'vmstate' || !s.body.bytes || s.body.bytes.length < CONFIG_AT + 0x40) return false;
  const f = s.body.vmsd.fields[0];
  return f !== undefined && f.kind === 'struct' && f.vmsd.name === 'PCIDevice';
}

const configByte: Mutator = {
  name: 'pci.config-byte',
  hazard: 'config bytes that contradict the destination (cap_present / capability list pointers below 0x40, unaligned, past the end)',
  aims: ['pci.bad-config-data'],
  apply({ seed, model }, a, b) {
    let items = model.items;
    let idxs = sectionIndices(model, isPciSection);
    if (idxs.length === 0) {
      // The plan sent no PCI device: send one.
      const dev = pick(seed.devices.filter(isPciSection), a);
      if (!dev) return undefined;
      items = [...model.items, dev];
      idxs = [items.length - 1];
    }
    const idx = pick(idxs, a)!;
    const it = items[idx] as SectionItem;
    if (it.body.kind !== 'vmstate' || !it.body.bytes) return undefined;
    const edit = EDITS[b % EDITS.length]!;
    const body = it.body.bytes.slice();
    const at = CONFIG_AT + edit.offset;
    const old = body[at]!;
    const next = edit.value(old) & 0xff;
    if (next === old) return undefined;
    body[at] = next;
    const out = items.slice();
    out[idx] = { ...it, body: { ...it.body, bytes: body } };
    const expect: Expectation = seed.modelled ? 'pci.bad-config-data' : undefined;
    return { bytes: encodeStream({ ...model, items: out }), note: `${it.idstr} config 0x${edit.offset.toString(16)} ${edit.what}: 0x${old.toString(16)} -> 0x${next.toString(16)}`, expect };
  },
};

export const PCI_MUTATORS: Mutator[] = [configByte];
