/**
 * `migcompat check`: static compatibility of two -dump-vmstate dumps, the
 * question QEMU's scripts/vmstate-static-checker.py answers ("would a
 * stream from SRC load in DEST?"), with its categories and wording:
 * section missing, entry missing, version and minimum version errors,
 * field missing / renamed / size mismatch, unused size mismatch,
 * subsection missing, description missing. Its tolerances are kept: known
 * renames, fields moved into a substruct, `unused` padding split
 * differently, and PCIDevice's config/irq_state reshuffle.
 *
 * What the script does not say, added here:
 *  - fields only the destination has (a destination expecting a field the
 *    source never sends misreads the rest of the section), judged by the
 *    field's version_id against the source description's version;
 *  - subsections only the destination has (harmless forward, reported);
 *  - a missing subsection the source sends unconditionally (when the caller
 *    can evaluate `needed`, e.g. for simulated builds);
 *  - the machine types' compat properties that differ between the sides.
 *
 * The result counts incompatibilities (findings of severity error); the
 * command exits with that count, capped at 255 as the script caps it.
 */
import { compatPropertiesFor } from '../../src/machines/index.js';

export type StaticFindingKind =
  | 'section-missing'
  | 'entry-missing'
  | 'version-error'
  | 'minimum-version-error'
  | 'field-missing'
  | 'field-mismatch'
  | 'size-mismatch'
  | 'unused-size-mismatch'
  | 'subsection-missing'
  | 'subsection-always-sent'
  | 'description-missing'
  | 'description-renamed'
  | 'machine-type-mismatch'
  | 'field-only-on-destination'
  | 'subsection-only-on-destination'
  | 'compat-property';

export type Severity = 'error' | 'warning' | 'info';

export interface StaticFinding {
  kind: StaticFindingKind;
  severity: Severity;
  section: string;
  description?: string;
  field?: string;
  /** The script's wording for its categories; ours for the extras. */
  message: string;
}

export interface StaticCheckResult {
  sourceMachine: string;
  destinationMachine: string;
  findings: StaticFinding[];
  incompatibilities: number;
}

/** Whether a subsection is sent: evaluated by callers that have the `needed` functions (simulated builds). */
export type SubsectionNeeded = (section: string, description: string, subsection: string) => 'always' | 'when-needed' | 'never' | undefined;

export interface StaticCheckOptions {
  /** Check DEST -> SRC instead (the script's --reverse). */
  reverse?: boolean;
  subsectionNeeded?: SubsectionNeeded;
  /** Releases the dumps come from, to compare the machine types' compat properties. */
  sourceRelease?: string;
  destinationRelease?: string;
}

type Json = Record<string, unknown>;

interface DumpField {
  field: string;
  version_id: number;
  field_exists?: boolean;
  size: number;
  Description?: DumpDescription;
}

interface DumpDescription {
  name: string;
  version_id: number;
  minimum_version_id?: number;
  Fields?: DumpField[];
  Subsections?: DumpDescription[];
  [entry: string]: unknown;
}

/** Fields QEMU renamed without changing the wire format, per description (the script's list). */
const KNOWN_RENAMES: Readonly<Record<string, readonly string[]>> = {
  e1000: ['dev', 'parent_obj'],
  ehci: ['dev', 'pcidev'],
  I440FX: ['dev', 'parent_obj'],
  ich9_ahci: ['card', 'parent_obj'],
  'ioh-3240-express-root-port': ['port.br.dev', 'parent_obj.parent_obj.parent_obj', 'port.br.dev.exp.aer_log', 'parent_obj.parent_obj.parent_obj.exp.aer_log'],
  'cirrus_vga': ['hw_cursor_x', 'vga.hw_cursor_x', 'hw_cursor_y', 'vga.hw_cursor_y'],
  lsiscsi: ['dev', 'parent_obj'],
  mch: ['d', 'parent_obj'],
  pci_bridge: ['bridge.dev', 'parent_obj', 'bridge.dev.shpc', 'shpc'],
  pcnet: ['pci_dev', 'parent_obj'],
  PIIX3: ['pci_irq_levels', 'pci_irq_levels_vmstate'],
  piix4_pm: ['dev', 'parent_obj', 'pci0_status', 'acpi_pci_hotplug.acpi_pcihp_pci_status[0x0]', 'pm1a.sts', 'ar.pm1.evt.sts', 'pm1a.en', 'ar.pm1.evt.en', 'pm1_cnt.cnt', 'ar.pm1.cnt.cnt', 'tmr.timer', 'ar.tmr.timer', 'tmr.overflow_time', 'ar.tmr.overflow_time', 'gpe', 'ar.gpe'],
  rtl8139: ['dev', 'parent_obj'],
  qxl: ['num_surfaces', 'ssd.num_surfaces'],
  'usb-ccid': ['abProtocolDataStructure', 'abProtocolDataStructure.data'],
  'usb-host': ['dev', 'parent_obj'],
  'usb-mouse': ['usb-ptr-queue', 'HIDPointerEventQueue'],
  'usb-tablet': ['usb-ptr-queue', 'HIDPointerEventQueue'],
  vmware_vga: ['card', 'parent_obj'],
  vmware_vga_internal: ['depth', 'new_depth'],
  xhci: ['pci_dev', 'parent_obj'],
  'x3130-upstream': ['PCIDevice', 'PCIEDevice'],
  'xio3130-express-downstream-port': ['port.br.dev', 'parent_obj.parent_obj.parent_obj', 'port.br.dev.exp.aer_log', 'parent_obj.parent_obj.parent_obj.exp.aer_log'],
  'xio3130-downstream': ['PCIDevice', 'PCIEDevice'],
  'xio3130-express-upstream-port': ['br.dev', 'parent_obj.parent_obj', 'br.dev.exp.aer_log', 'parent_obj.parent_obj.exp.aer_log'],
  spapr_pci: ['dma_liobn[0]', 'mig_liobn', 'mem_win_addr', 'mig_mem_win_addr', 'mem_win_size', 'mig_mem_win_size', 'io_win_addr', 'mig_io_win_addr', 'io_win_size', 'mig_io_win_size'],
};

/** Sections QEMU renamed (commit 292b1634). */
const SECTION_RENAMES: ReadonlyArray<readonly [string, string]> = [['ICH9 LPC', 'ICH9-LPC']];

function namesMatch(desc: string, a: string, b: string): boolean {
  if (a === b) return true;
  const list = KNOWN_RENAMES[desc];
  return list !== undefined && list.includes(a) && list.includes(b);
}

function renamedSection(sec: string): string | undefined {
  for (const [a, b] of SECTION_RENAMES) {
    if (a === sec) return b;
    if (b === sec) return a;
  }
  return undefined;
}

/** A field list with the script's descend-into-substruct moves: a stack of positions. */
class FieldCursor {
  private readonly stack: Array<{ fields: readonly DumpField[]; i: number }> = [];
  constructor(fields: readonly DumpField[]) {
    this.stack.push({ fields, i: 0 });
  }
  get nested(): boolean {
    return this.stack.length > 1;
  }
  next(): DumpField | undefined {
    const top = this.stack[this.stack.length - 1]!;
    return top.i < top.fields.length ? top.fields[top.i++] : undefined;
  }
  pop(): void {
    this.stack.pop();
  }
  enter(fields: readonly DumpField[]): void {
    this.stack.push({ fields, i: 0 });
  }
  /** Everything not yet read, innermost level first. */
  rest(): DumpField[] {
    return [...this.stack].reverse().flatMap((l) => l.fields.slice(l.i));
  }
}

function firstSubstructFieldMatches(item: DumpField, name: string): boolean {
  const sub = item.Description;
  const first = sub?.Fields?.[0];
  return sub !== undefined && first !== undefined && namesMatch(sub.name, first.field, name);
}

class Checker {
  readonly findings: StaticFinding[] = [];
  constructor(private readonly opts: StaticCheckOptions) {}

  add(f: StaticFinding): void {
    this.findings.push(f);
  }

  version(s: { version_id: number }, d: { version_id: number; minimum_version_id?: number }, sec: string, desc?: string): void {
    const where = `Section "${sec}"${desc !== undefined ? ` Description "${desc}":` : ''}`;
    if (s.version_id > d.version_id) {
      this.add({ kind: 'version-error', severity: 'error', section: sec, ...(desc !== undefined ? { description: desc } : {}), message: `${where} version error: ${s.version_id} > ${d.version_id}` });
    }
    if (d.minimum_version_id !== undefined && s.version_id < d.minimum_version_id) {
      this.add({ kind: 'minimum-version-error', severity: 'error', section: sec, ...(desc !== undefined ? { description: desc } : {}), message: `${where} minimum version error: ${s.version_id} < ${d.minimum_version_id}` });
    }
  }

  size(s: DumpField, d: DumpField, sec: string, desc: string): void {
    if (s.size === d.size) return;
    this.add({ kind: 'size-mismatch', severity: 'error', section: sec, description: desc, field: s.field, message: `Section "${sec}" Description "${desc}" Field "${s.field}" size mismatch: ${s.size} , ${d.size}` });
  }

  fields(src: readonly DumpField[], dst: readonly DumpField[], srcDesc: DumpDescription, sec: string): void {
    const desc = srcDesc.name;
    const s = new FieldCursor(src);
    const d = new FieldCursor(dst);
    let sItem: DumpField | undefined;
    let dItem: DumpField | undefined;
    let advanceSrc = true;
    let advanceDst = true;
    let unused = 0;
    let srcExhausted = false;
    for (;;) {
      if (advanceSrc) {
        sItem = s.next();
        if (sItem === undefined) {
          if (!s.nested) {
            srcExhausted = true;
            break;
          }
          s.pop();
          continue;
        }
      } else if (unused === 0) advanceSrc = true;
      if (advanceDst) {
        dItem = d.next();
        if (dItem === undefined) {
          if (!d.nested) {
            this.add({ kind: 'field-missing', severity: 'error', section: sec, description: desc, field: sItem!.field, message: `Section "${sec}", Description "${desc}": expected field "${sItem!.field}", while dest has no further fields` });
            break;
          }
          d.pop();
          advanceSrc = false;
          continue;
        }
      } else if (unused === 0) advanceDst = true;
      const si = sItem!;
      const di = dItem!;
      if (unused !== 0) {
        // One side's `unused` run is being matched by several fields of the other.
        const other = !advanceDst ? si : di;
        unused -= other.size;
        if (unused === 0) {
          if (!advanceDst) advanceDst = true;
          else advanceSrc = true;
          continue;
        }
        if (unused < 0) {
          this.add({ kind: 'unused-size-mismatch', severity: 'error', section: sec, description: desc, field: other.field, message: `Section "${sec}", Description "${desc}": unused size mismatch near "${other.field}"` });
          break;
        }
        continue;
      }
      if (!namesMatch(desc, si.field, di.field)) {
        if (firstSubstructFieldMatches(di, si.field)) {
          d.enter(di.Description!.Fields!);
          advanceSrc = false;
          continue;
        }
        if (firstSubstructFieldMatches(si, di.field)) {
          s.enter(si.Description!.Fields!);
          advanceDst = false;
          continue;
        }
        if (si.field === 'unused' || di.field === 'unused') {
          if (si.size === di.size) continue;
          if (di.field === 'unused') {
            advanceDst = false;
            unused = di.size - si.size;
            continue;
          }
          advanceSrc = false;
          unused = si.size - di.size;
          continue;
        }
        // irq_state was added after config in PCIDevice: a known false positive; the script stops comparing here.
        if ((desc === 'PCIDevice' || desc === 'PCIEDevice') && ['irq_state', 'config'].includes(si.field) && ['irq_state', 'config'].includes(di.field)) break;
        this.add({ kind: 'field-mismatch', severity: 'error', section: sec, description: desc, field: si.field, message: `Section "${sec}", Description "${desc}": expected field "${si.field}", got "${di.field}"; skipping rest` });
        break;
      }
      this.version(si, di, sec, desc);
      if (si.Description === undefined) this.size(si, di, sec, desc);
      this.nested(si, di, sec, desc);
    }
    if (srcExhausted) this.destinationOnlyFields(d.rest(), srcDesc, sec);
  }

  /** Our extra: what the destination still expects once the source has sent everything. */
  destinationOnlyFields(rest: readonly DumpField[], srcDesc: DumpDescription, sec: string): void {
    for (const f of rest) {
      const base = { section: sec, description: srcDesc.name, field: f.field };
      if (f.version_id > srcDesc.version_id) {
        this.add({ ...base, kind: 'field-only-on-destination', severity: 'info', message: `Section "${sec}", Description "${srcDesc.name}": field "${f.field}" only on the destination, from version ${f.version_id} (the source sends version ${srcDesc.version_id}: not read)` });
      } else if (f.field_exists === true) {
        this.add({ ...base, kind: 'field-only-on-destination', severity: 'warning', message: `Section "${sec}", Description "${srcDesc.name}": field "${f.field}" only on the destination, behind a field_exists test the dump cannot evaluate` });
      } else {
        this.add({ ...base, kind: 'field-only-on-destination', severity: 'error', message: `Section "${sec}", Description "${srcDesc.name}": destination expects field "${f.field}" (version ${f.version_id}) that the source never sends` });
      }
    }
  }

  nested(s: DumpField, d: DumpField, sec: string, desc: string): void {
    if (s.Description === undefined) return;
    if (d.Description === undefined) {
      this.add({ kind: 'description-missing', severity: 'error', section: sec, description: desc, field: s.field, message: `Section "${sec}", Description "${desc}", Field "${s.field}": missing description` });
      return;
    }
    this.descriptions(s.Description, d.Description, sec);
  }

  subsections(src: readonly DumpDescription[], dst: readonly DumpDescription[], desc: string, sec: string): void {
    for (const s of src) {
      const matches = dst.filter((d) => d.name === s.name);
      matches.forEach((d) => this.descriptions(s, d, sec));
      if (matches.length > 0) continue;
      const needed = this.opts.subsectionNeeded?.(sec, desc, s.name);
      if (needed === 'always') {
        this.add({ kind: 'subsection-always-sent', severity: 'error', section: sec, description: desc, message: `Section "${sec}", Description "${desc}": Subsection "${s.name}" not found, and the source always sends it` });
      } else if (needed === 'never') {
        this.add({ kind: 'subsection-missing', severity: 'warning', section: sec, description: desc, message: `Section "${sec}", Description "${desc}": Subsection "${s.name}" not found (the source does not send it in this configuration)` });
      } else {
        this.add({ kind: 'subsection-missing', severity: 'error', section: sec, description: desc, message: `Section "${sec}", Description "${desc}": Subsection "${s.name}" not found` });
      }
    }
    for (const d of dst) {
      if (src.some((s) => s.name === d.name)) continue;
      this.add({ kind: 'subsection-only-on-destination', severity: 'info', section: sec, description: desc, message: `Section "${sec}", Description "${desc}": Subsection "${d.name}" only on the destination (optional on load)` });
    }
  }

  descriptions(s: DumpDescription, d: DumpDescription, sec: string): void {
    this.version(s, d, sec, s.name);
    if (!namesMatch(sec, s.name, d.name)) {
      this.add({ kind: 'description-renamed', severity: 'error', section: sec, description: s.name, message: `Section "${sec}": Description "${s.name}" missing, got "${d.name}" instead; skipping` });
      return;
    }
    for (const entry of Object.keys(s)) {
      if (!(entry in d)) {
        this.add({ kind: 'entry-missing', severity: 'error', section: sec, description: s.name, message: `Section "${sec}" Description "${s.name}": Entry "${entry}" missing` });
        continue;
      }
      if (entry === 'Fields') this.fields(s.Fields ?? [], d.Fields ?? [], s, sec);
      if (entry === 'Subsections') this.subsections(s.Subsections ?? [], d.Subsections ?? [], s.name, sec);
    }
    // Our extra: subsections (or a whole field list) only the destination has.
    if (s.Subsections === undefined && d.Subsections !== undefined) this.subsections([], d.Subsections, s.name, sec);
    if (s.Fields === undefined && d.Fields !== undefined && d.Fields.length > 0) this.destinationOnlyFields(d.Fields, s, sec);
  }
}

function asObject(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${what}: a -dump-vmstate dump is a JSON object`);
  return v as Json;
}

function machineName(dump: Json): string {
  const m = dump.vmschkmachine as { Name?: unknown } | undefined;
  return typeof m?.Name === 'string' ? m.Name : '';
}

/** Effective compat property values: for one driver.property the last entry wins. */
function effectiveCompat(machine: string, release: string): Map<string, string> | undefined {
  try {
    const out = new Map<string, string>();
    for (const p of compatPropertiesFor(machine, release)) out.set(`${p.driver}.${p.property}`, p.value);
    return out;
  } catch {
    return undefined;
  }
}

function compatFindings(srcMachine: string, dstMachine: string, srcRelease: string, dstRelease: string): StaticFinding[] {
  const a = effectiveCompat(srcMachine, srcRelease);
  const b = effectiveCompat(dstMachine, dstRelease);
  if (a === undefined || b === undefined) return [];
  const out: StaticFinding[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const va = a.get(key);
    const vb = b.get(key);
    if (va === vb) continue;
    out.push({
      kind: 'compat-property',
      severity: 'info',
      section: 'vmschkmachine',
      field: key,
      message: `compat property ${key}: ${va ?? '(default)'} on ${srcMachine} (${srcRelease}), ${vb ?? '(default)'} on ${dstMachine} (${dstRelease})`,
    });
  }
  return out;
}

export function staticCheck(source: unknown, destination: unknown, opts: StaticCheckOptions = {}): StaticCheckResult {
  let src = asObject(source, 'source');
  let dst = asObject(destination, 'destination');
  if (opts.reverse) [src, dst] = [dst, src];
  const c = new Checker(opts);
  for (const sec of Object.keys(src)) {
    let dsec = sec;
    if (!(dsec in dst)) {
      const renamed = renamedSection(sec);
      if (renamed === undefined || !(renamed in dst)) {
        c.add({ kind: 'section-missing', severity: 'error', section: sec, message: `Section "${sec}" does not exist in dest` });
        continue;
      }
      dsec = renamed;
    }
    if (sec === 'vmschkmachine') {
      const a = machineName(src);
      const b = machineName(dst);
      if (a !== b) c.add({ kind: 'machine-type-mismatch', severity: 'warning', section: sec, message: `Warning: checking incompatible machine types: "${a}", "${b}"` });
      continue;
    }
    const s = src[sec] as DumpDescription;
    const d = dst[dsec] as DumpDescription;
    c.version(s, d, sec);
    for (const entry of Object.keys(s)) {
      if (!(entry in d)) {
        c.add({ kind: 'entry-missing', severity: 'error', section: sec, message: `Section "${sec}": Entry "${entry}" missing` });
        continue;
      }
      if (entry === 'Description') c.descriptions(s.Description as DumpDescription, d.Description as DumpDescription, sec);
    }
  }
  const srcMachine = machineName(src);
  const dstMachine = machineName(dst);
  const srcRelease = opts.reverse ? opts.destinationRelease : opts.sourceRelease;
  const dstRelease = opts.reverse ? opts.sourceRelease : opts.destinationRelease;
  if (srcRelease !== undefined && dstRelease !== undefined) c.findings.push(...compatFindings(srcMachine, dstMachine, srcRelease, dstRelease));
  const errors = c.findings.filter((f) => f.severity === 'error').length;
  return { sourceMachine: srcMachine, destinationMachine: dstMachine, findings: c.findings, incompatibilities: errors };
}

/** The command's exit status: the count of incompatibilities, capped like the script's 8-bit status. */
export function staticCheckExitCode(r: StaticCheckResult): number {
  return Math.min(255, r.incompatibilities);
}
