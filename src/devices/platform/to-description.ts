/**
 * Turns a recorded PlatformSchema into the engine's VMStateDescription.
 *
 * Field kinds follow the VMStateInfo name QEMU wrote: integers, `* equal`,
 * bool, timer, buffer, unused_buffer, nested struct / tmp; anything else
 * (`pci config`, `pci irq state`, `int32 le`, `virtio`, ...) stays an opaque
 * run of the recorded size. Variable buffers and arrays are fixed at the size
 * the real default stream wrote.
 */
import type { ElementKind, IntType, StateObject, VMStateDescription, VMStateField } from '../../vmstate/description.js';
import { intTypeOf, subsectionPresent } from './body-codec.js';
import type { PlatformField, PlatformSchema } from './schema.js';
import { CPU_NEEDED } from './cpu-subsections.js';

/**
 * `needed` conditions that are a plain test on state fields, from QEMU 7.2
 * source. Subsections not listed here are needed when the state carries
 * their fields (see subsectionPresent): most of them depend on device
 * properties and machine-type compat flags, not on guest state.
 */
export const NEEDED_FROM_SOURCE: Record<string, (s: StateObject) => boolean> = {
  // target/i386/machine.c poll_control_msr_needed: env.poll_control_msr != 1
  'cpu/poll_control_msr': (s) => s['env.poll_control_msr'] !== undefined && BigInt(s['env.poll_control_msr'] as bigint) !== 1n,
  ...CPU_NEEDED,
  // msr_smi_count_needed: cpu->migrate_smi_count && env.msr_smi_count != 0. The
  // property x-migrate-smi-count (off up to the 2.11 machine types,
  // pc_compat_2_11) is configuration, not state: a state that carries a
  // non-zero count is taken to have it on.
  // hw/isa/lpc_ich9.c ich9_rst_cnt_needed: lpc->rst_cnt != 0 (port 0xcf9 written)
  'ICH9LPC/rst_cnt': (s) => typeof s.rst_cnt === 'number' && s.rst_cnt !== 0,
  'cpu/msr_smi_count': (s) => s['env.msr_smi_count'] !== undefined && BigInt(s['env.msr_smi_count'] as bigint) !== 0n,
};

export function descriptionFromSchema(schema: PlatformSchema): VMStateDescription {
  const d: VMStateDescription = {
    name: schema.name,
    version_id: schema.version,
    minimum_version_id: schema.min ?? schema.version,
    fields: schema.fields.map(fieldFromSchema),
  };
  if (schema.subsections && schema.subsections.length > 0) {
    d.subsections = schema.subsections.map((sub) => {
      const desc = descriptionFromSchema(sub);
      desc.needed = NEEDED_FROM_SOURCE[sub.name] ?? ((s: StateObject) => subsectionPresent(sub, s));
      return desc;
    });
  }
  return d;
}

function fieldFromSchema(f: PlatformField): VMStateField {
  const el = elementOf(f);
  // Kept so the walker's vmdesc says what QEMU's says: element by element.
  if (f.len !== undefined && f.indexed) return { name: f.name, kind: 'array', of: el, length: f.len, meta: { vmdescIndexed: true } };
  if (f.len !== undefined) return { name: f.name, kind: 'array', of: el, length: f.len };
  if (f.type === 'buffer') return { name: f.name, kind: 'buffer', size: f.size };
  if (f.type === 'unused_buffer') return { name: f.name, kind: 'unused', size: f.size };
  return { name: f.name, ...el };
}

function elementOf(f: PlatformField): ElementKind {
  // VMSTATE_WITH_TMP: same bytes as a struct; `info: 'tmp'` for the vmdesc shape (inline, "tmp").
  if (f.struct) return f.type === 'tmp' ? { kind: 'struct', vmsd: descriptionFromSchema(f.struct), info: 'tmp' } : { kind: 'struct', vmsd: descriptionFromSchema(f.struct) };
  const it = intTypeOf(f.type) as IntType | undefined;
  if (it !== undefined) return f.type.endsWith(' equal') ? { kind: 'equal', type: it } : { kind: 'int', type: it };
  if (f.type === 'bool') return { kind: 'bool' };
  if (f.type === 'timer') return { kind: 'timer' };
  return { kind: 'opaque', info: f.type, size: f.size };
}
