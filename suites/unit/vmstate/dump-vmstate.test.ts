import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadError, WireReader } from '../../../src/wire/index.js';
import { descriptionsFromDumpVmstate, dumpVmstate } from '../../../src/vmstate/dump-vmstate.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';

const REAL = ['/tmp/cap/pc-q35-7.2.dump.json', '/tmp/cap/pc-i440fx-7.2.dump.json'];

describe('-dump-vmstate JSON', () => {
  for (const file of REAL) {
    it.skipIf(!existsSync(file))(`${file}: import then export reproduces QEMU 7.2's text byte for byte`, () => {
      const text = readFileSync(file, 'utf8');
      const { machine, descriptions } = descriptionsFromDumpVmstate(text);
      expect(machine).toMatch(/^pc-(q35|i440fx)-7\.2$/);
      expect(dumpVmstate(descriptions, machine) === text).toBe(true);
    });
  }
});
