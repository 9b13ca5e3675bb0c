import { encodeStream, type SectionItem } from '../../../src/migration/index.js';
import { sectionIndices } from './model-edit.js';
import { pick, type Expectation, type Mutator } from './types.js';

/**
 * fw_cfg/acpi_mr (hw/nvram/fw_cfg.c fw_cfg_acpi_mr_restore_post_load): the
 * source's ACPI table/linker/RSDP sizes; QEMU resizes the ACPI RAM blocks
 * to them with &error_abort, so a size above the block's max_length aborts
 * the destination (seed 000's oversized ACPI tables, by the other door).
 * The simulated fw_cfg refuses with fwcfg.acpi-mr-too-large instead. The
 * subsection is found by its name in the section body: 0x05, name length,
 * "fw_cfg/acpi_mr", be32 version, then table_mr_size, linker_mr_size,
 * rsdp_mr_size as be64.
 */
const NAME = 'fw_cfg/acpi_mr';
const NAME_BYTES = new TextEncoder().encode(NAME);

/** By body: the seed's device bodies are the same objects in every case, and a scan reads up to 18 KB. */
const fieldsAt = new WeakMap<Uint8Array, number | undefined>();

function subsectionFields(body: Uint8Array): number | undefined {
  if (fieldsAt.has(body)) return fieldsAt.get(body);
  const at = findSubsectionFields(body);
  fieldsAt.set(body, at);
  return at;
}

function findSubsectionFields(body: Uint8Array): number | undefined {
  for (let i = 0; i + 2 + NAME_BYTES.length + 4 + 24 <= body.length; i++) {
    if (body[i] !== 0x05 || body[i + 1] !== NAME_BYTES.length) continue;
    if (NAME_BYTES.every((c, k) => body[i + 2 + k] === c)) return i + 2 + NAME_BYTES.length + 4;
  }
  return undefined;
}

function hasAcpiMr(s: SectionItem): boolean {
  return s.body.kind === 'vmstate' && s.body.bytes !== undefined && subsectionFields(s.body.bytes) !== undefined;
}

const FIELDS = [
  { name: 'table_mr_size', block: '/rom@etc/acpi/tables' },
  { name: 'linker_mr_size', block: '/rom@etc/table-loader' },
  { name: 'rsdp_mr_size', block: '/rom@etc/acpi/rsdp' },
];

const acpiMrSize: Mutator = {
  name: 'fwcfg.acpi-mr-size',
  hazard: 'oversized RAM blocks through fw_cfg/acpi_mr: sizes above max_length, exactly max_length, 2^63',
  aims: ['fwcfg.acpi-mr-too-large'],
  apply({ seed, model }, a, b) {
    let items = model.items;
    let idx = pick(sectionIndices(model, hasAcpiMr), a);
    if (idx === undefined) {
      const dev = seed.devices.find(hasAcpiMr);
      if (!dev) return undefined;
      items = [...model.items, dev];
      idx = items.length - 1;
    }
    const it = items[idx] as SectionItem;
    if (it.body.kind !== 'vmstate' || !it.body.bytes) return undefined;
    const field = FIELDS[a % FIELDS.length]!;
    const block = seed.profile.ramBlocks.find((x) => x.idstr === field.block);
    if (!block) return undefined;
    const max = BigInt(block.maxLength);
    const variants: [bigint, Expectation][] = [
      [max + 4096n, 'fwcfg.acpi-mr-too-large'],
      [max, 'accepted'],
      [1n << 63n, 'fwcfg.acpi-mr-too-large'],
      [max + 1n, 'fwcfg.acpi-mr-too-large'], // aligned up to max + page
    ];
    const [size, claim] = variants[b % variants.length]!;
    const at = subsectionFields(it.body.bytes)! + 8 * FIELDS.indexOf(field);
    const body = it.body.bytes.slice();
    new DataView(body.buffer, body.byteOffset).setBigUint64(at, size);
    const out = items.slice();
    out[idx] = { ...it, body: { ...it.body, bytes: body } };
    return {
      bytes: encodeStream({ ...model, items: out }),
      note: `fw_cfg acpi_mr ${field.name} 0x${size.toString(16)} (${field.block} max 0x${max.toString(16)})`,
      expect: seed.modelled ? claim : undefined,
    };
  },
};

export const FW_CFG_MUTATORS: Mutator[] = [acpiMrSize];
