import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Bytes from one real QEMU 7.2 run (see fixtures/q35-vmgenid-7.2.json
 * `_about`): QEMU's own blobs (loader, tables, rsdp) as they sit in their
 * RAM blocks, and what SeaBIOS left in guest RAM after executing the loader.
 */
export interface RealCapture {
  loader: Uint8Array;
  /** etc/acpi/tables, full 0x20000 bytes (the fixture holds the non-zero prefix). */
  tables: Uint8Array;
  rsdp: Uint8Array;
  tablesPatched: Uint8Array;
  rsdpPatched: Uint8Array;
  guidBlobPrefix: Uint8Array;
  fwCfgSection: Uint8Array;
  vmgenidSection: Uint8Array;
  acpiBuildSection: Uint8Array;
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

function padded(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(hex(s));
  return out;
}

export function loadRealCapture(): RealCapture {
  const path = fileURLToPath(new URL('./fixtures/q35-vmgenid-7.2.json', import.meta.url));
  const j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  return {
    loader: padded(j['loader']!, 0x1000),
    tables: padded(j['tables']!, 0x20000),
    rsdp: hex(j['rsdp']!),
    tablesPatched: padded(j['tablesPatched']!, 0x20000),
    rsdpPatched: hex(j['rsdpPatched']!),
    guidBlobPrefix: hex(j['guidBlobPrefix']!),
    fwCfgSection: hex(j['fwCfgSection']!),
    vmgenidSection: hex(j['vmgenidSection']!),
    acpiBuildSection: hex(j['acpiBuildSection']!),
  };
}
