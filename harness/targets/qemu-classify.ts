import type { CheckCode } from '../../src/wire/checks.js';

/**
 * Maps QEMU's refusal text to our check codes, so a QEMU verdict and a
 * simulated one can be compared code to code. The patterns are QEMU 7.2's
 * error_report() wordings (migration/savevm.c, migration/ram.c,
 * migration/vmstate.c); the first line that matches wins, because QEMU prints
 * the root cause before the generic "load of migration failed".
 */

export type QemuRefusalCode = CheckCode | 'qemu.load-failed';

const PATTERNS: ReadonlyArray<readonly [RegExp, CheckCode]> = [
  [/^Not a migration stream/, 'stream.bad-magic'],
  [/^SaveVM v2 format is obsolete/, 'stream.v2-obsolete'],
  [/^Unsupported migration stream version/, 'stream.unsupported-version'],
  [/^Configuration section missing/, 'stream.config-missing'],
  [/^Machine type received is/, 'stream.machine-mismatch'],
  [/^Unknown savevm section or instance/, 'stream.unknown-section'],
  [/^Unknown savevm section type/, 'stream.unknown-section-type'],
  [/^Unknown section id/, 'stream.unknown-section-id'],
  [/^Missing section footer/, 'section.footer-missing'],
  [/^Mismatched section id in footer/, 'section.footer-mismatch'],
  [/^savevm: unsupported version/, 'section.version-too-new'],
  [/is too old for local minimum version_id/, 'section.version-too-old'],
  [/^Unknown ramblock/, 'ram.unknown-block'],
  [/^Size mismatch:|Length mismatch:/, 'ram.size-mismatch'],
  [/^Size too large:|Length too large:/, 'ram.length-too-large'],
  [/^Unknown combination of migration flags/, 'ram.unknown-flags'],
  // ram_block_from_stream's messages come before the "Illegal RAM offset" that follows them.
  [/^Can't find block /, 'ram.bad-block-name'],
  [/^Ack, bad migration stream!/, 'ram.continue-without-block'],
  [/^block .* should not be migrated !/, 'ram.block-not-migratable'],
  [/^Illegal RAM offset/, 'ram.offset-out-of-range'],
  [/Bad config data/, 'pci.bad-config-data'],
  // VMSTATE_INT32_POSITIVE_LE (get_int32_le), in 7.2 the PCIDevice version_id.
  [/^Invalid value -?\d+ expecting positive value <= -?\d+/, 'pci.version-invalid'],
  // vmstate_load_state's own version check; top-level sections are caught earlier by savevm.c
  // with another wording, so this one is a subsection (or nested struct).
  [/: incoming version_id \d+ is too new for local version_id \d+/, 'vmstate.subsection-version'],
  [/^Failed to load .*:(state|tmp)/, 'vmstate.post-load-failed'],
];

/** The check code for QEMU's error lines; `qemu.load-failed` when no wording is recognised. */
export function classifyQemuRefusal(lines: readonly string[]): QemuRefusalCode {
  for (const line of lines) {
    for (const [re, code] of PATTERNS) if (re.test(line)) return code;
  }
  // QEMU reports a stream that ends early only as an I/O error on the file.
  if (lines.some((l) => /load of migration failed: Input\/output error/.test(l))) return 'wire.truncated';
  // vmstate_subsection_load returns -ENOENT for a subsection it does not know, without a message.
  if (lines.some((l) => /load of migration failed: No such file or directory/.test(l))) return 'vmstate.subsection-unknown';
  return 'qemu.load-failed';
}
