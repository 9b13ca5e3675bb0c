import { encodeStream, type StreamModel } from '../../../src/migration/index.js';
import { boundaries, layoutStream } from '../layout.js';
import { pick, type Expectation, type Mutated, type Mutator } from './types.js';

/** Stream-level hazards: header, configuration, EOF, vmdesc, truncation (savevm.c qemu_loadvm_state). */

function patched(model: StreamModel, edit: (b: Uint8Array) => void): Uint8Array {
  const b = encodeStream(model); // a fresh buffer: edited in place
  edit(b);
  return b;
}

const magic: Mutator = {
  name: 'stream.magic',
  hazard: 'bad magic',
  aims: ['stream.bad-magic'],
  apply({ model }, _a, b) {
    return { bytes: patched(model, (x) => void (x[b % 4] = x[b % 4]! ^ 0x20)), note: `magic byte ${b % 4} flipped`, expect: 'stream.bad-magic' };
  },
};

/** "SaveVM v2 format is obsolete and don't work anymore" / "Unsupported migration stream version". */
const version: Mutator = {
  name: 'stream.version',
  hazard: 'stream version other than 3',
  aims: ['stream.v2-obsolete', 'stream.unsupported-version'],
  apply({ model }, _a, b) {
    const v = [2, 4, 0, 0xffffffff][b % 4]!;
    const bytes = patched(model, (x) => new DataView(x.buffer).setUint32(4, v));
    return { bytes, note: `stream version ${v}`, expect: v === 2 ? 'stream.v2-obsolete' : 'stream.unsupported-version' };
  },
};

/** "Machine type received is '%s' and local is '%s'". */
const machine: Mutator = {
  name: 'stream.machine',
  hazard: 'configuration names another machine type',
  aims: ['stream.machine-mismatch'],
  apply({ model }, _a, b) {
    const cfg = model.configuration;
    if (!cfg) return undefined;
    const names = [`${cfg.name}x`, 'pc-i440fx-2.4', '', cfg.name.slice(0, -1)];
    const name = names[b % names.length]!;
    // configuration_post_load compares with strncmp over the received length:
    // an empty name or a prefix of the local one is accepted.
    const expect = cfg.name.startsWith(name) ? 'accepted' : 'stream.machine-mismatch';
    return { bytes: encodeStream({ ...model, configuration: { ...cfg, name } }), note: `configuration names '${name}'`, expect };
  },
};

/** "Configuration section missing". */
const configMissing: Mutator = {
  name: 'stream.config-missing',
  hazard: 'missing configuration section',
  aims: ['stream.config-missing'],
  apply({ model }) {
    if (!model.configuration) return undefined;
    const { configuration: _drop, ...rest } = model;
    return { bytes: encodeStream(rest), note: 'configuration section removed', expect: 'stream.config-missing' };
  },
};

/** The vmdesc length word: QEMU only drains the vmdesc, so a wrong length is at most a warning. */
const vmdescLength: Mutator = {
  name: 'stream.vmdesc-length',
  hazard: 'vmdesc length that disagrees with its JSON',
  aims: [],
  apply({ model }, _a, b) {
    const raw = new TextEncoder().encode('{"page_size": 4096, "devices": []}');
    const m: StreamModel = { ...model, vmdesc: model.vmdesc ?? { offset: 0, raw } };
    const lay = layoutStream(m);
    const tail = lay.chunks[lay.chunks.length - 1]!;
    const at = tail.start + 2; // EOF byte, 0x06, then the be32 length
    const lens = [0xffffffff, 0, m.vmdesc!.raw.length + 1, 0x7fffffff];
    const bytes = lay.bytes; // laid out for this mutation alone: edited in place
    new DataView(bytes.buffer).setUint32(at, lens[b % lens.length]!);
    return { bytes, note: `vmdesc length 0x${lens[b % lens.length]!.toString(16)}`, expect: 'accepted' };
  },
};

/** Without the EOF byte the reader runs off the end: truncated. */
const eofMissing: Mutator = {
  name: 'stream.eof-missing',
  hazard: 'no EOF',
  aims: ['wire.truncated'],
  apply({ model }) {
    const { eofOffset: _e, vmdesc: _v, trailing: _t, ...rest } = model;
    return { bytes: encodeStream(rest), note: 'EOF (and vmdesc) removed', expect: 'wire.truncated' };
  },
};

/**
 * Truncation at every structural boundary (and one byte either side): the
 * reader must refuse before EOF was read; after it, QEMU has what it needs.
 */
const truncate: Mutator = {
  name: 'stream.truncate',
  hazard: 'truncation at every boundary',
  aims: ['wire.truncated', 'stream.config-missing'],
  apply({ model }, a, b) {
    const lay = layoutStream(model);
    const cuts = boundaries(model, lay);
    const base = pick(cuts, a)!;
    const at = Math.min(lay.bytes.length, Math.max(0, base + [0, -1, 1][b % 3]!));
    const tail = lay.chunks[lay.chunks.length - 1]!;
    const beforeEof = tail.length > 0 ? at <= tail.start : at < lay.bytes.length;
    const mutated: Mutated = { bytes: lay.bytes.slice(0, at), note: `cut at ${at} of ${lay.bytes.length}`, expect: beforeEof ? 'refused' : 'accepted' };
    return mutated;
  },
};

/** Bytes after EOF (and after the vmdesc): QEMU never reads them. */
const trailing: Mutator = {
  name: 'stream.trailing',
  hazard: 'data after EOF',
  aims: [],
  apply({ model }, _a, b) {
    const t = new Uint8Array((b % 64) + 1).fill(0x5a);
    return { bytes: encodeStream({ ...model, eofOffset: 0, trailing: t }), note: `${t.length} bytes after EOF`, expect: undefined };
  },
};

/**
 * A QEMU_VM_COMMAND between sections (u16 command, u16 length, data), with
 * what real QEMU 7.2 did with each on a unix-socket incoming
 * (suites/qemu/commands.test.ts; src/migration/load-command.ts): it opens a
 * return path, takes an empty postcopy advise and an out-of-recovery resume
 * in its stride, and refuses PING without a return path, LISTEN before an
 * advise, fixed-length commands of another length, unknown numbers, an
 * 8-byte advise; ENABLE_COLO makes it wait forever after the load (refused
 * here as not modelled).
 */
const COMMANDS: { cmd: number; data: number[]; expect: Expectation; what: string }[] = [
  { cmd: 1, data: [], expect: 'accepted', what: 'OPEN_RETURN_PATH' },
  { cmd: 2, data: [0, 0, 0, 7], expect: 'stream.command-state', what: 'PING without a return path' },
  { cmd: 3, data: [], expect: 'accepted', what: 'POSTCOPY_ADVISE, empty' },
  { cmd: 3, data: [0, 0, 0, 0, 0, 0, 0, 0], expect: 'stream.command-invalid', what: 'POSTCOPY_ADVISE of 8 bytes' },
  { cmd: 4, data: [], expect: 'stream.command-state', what: 'POSTCOPY_LISTEN before an advise' },
  { cmd: 7, data: [], expect: 'stream.command-length', what: 'PACKAGED without its length' },
  { cmd: 8, data: [], expect: 'stream.unsupported-command', what: 'ENABLE_COLO' },
  { cmd: 9, data: [], expect: 'accepted', what: 'POSTCOPY_RESUME outside recovery' },
  { cmd: 0x99, data: [], expect: 'stream.command-unknown', what: 'unknown command' },
];

const command: Mutator = {
  name: 'stream.command',
  hazard: 'QEMU_VM_COMMAND records in a precopy stream',
  aims: ['stream.command-unknown', 'stream.command-length', 'stream.command-state', 'stream.command-invalid', 'stream.unsupported-command'],
  apply({ model }, a, b) {
    const at = a % (model.items.length + 1);
    const c = COMMANDS[b % COMMANDS.length]!;
    const items = model.items.slice();
    items.splice(at, 0, { kind: 'command', offset: 0, command: c.cmd, data: new Uint8Array(c.data) });
    return { bytes: encodeStream({ ...model, items }), note: `QEMU_VM_COMMAND ${c.cmd} (${c.what}) before item ${at}`, expect: c.expect };
  },
};

export const STREAM_MUTATORS: Mutator[] = [magic, version, machine, configMissing, vmdescLength, eofMissing, truncate, trailing, command];
