import { closeSync, openSync, writeSync } from 'node:fs';
import { WireWriter } from '../src/wire/index.js';
import { QEMU_VM_FILE_MAGIC, RamFlag, SectionType } from '../src/migration/index.js';

const PAGE = 4096;

/**
 * Writes a page-heavy stream to `path` without holding it in memory: the
 * pc-q35-7.2 layout (configuration, footers) with one RAM block of
 * `bytes` where every page is a non-zero PAGE record, then EOF. The page
 * content varies per page so nothing downstream can shortcut zero pages.
 */
export function writePageHeavyStream(path: string, bytes: number): void {
  const pages = Math.floor(bytes / PAGE);
  const fd = openSync(path, 'w');
  try {
    const head = new WireWriter();
    head.u32(QEMU_VM_FILE_MAGIC).u32(3);
    head.u8(SectionType.CONFIGURATION).u32('pc-q35-7.2'.length);
    for (const c of 'pc-q35-7.2') head.u8(c.charCodeAt(0));
    // RAM START: section id 2, "ram", instance 0, version 4; MEM_SIZE list; EOS; footer.
    head.u8(SectionType.START).u32(2).shortString('ram').u32(0).u32(4);
    head.u64(BigInt(pages * PAGE) | BigInt(RamFlag.MEM_SIZE)).shortString('pc.ram').u64(BigInt(pages * PAGE));
    head.u64(RamFlag.EOS).u8(SectionType.FOOTER).u32(2);
    head.u8(SectionType.PART).u32(2);
    writeSync(fd, head.finish());
    const chunkPages = 1024;
    const page = new Uint8Array(PAGE);
    for (let first = 0; first < pages; first += chunkPages) {
      const w = new WireWriter((8 + PAGE + 8) * chunkPages);
      for (let i = first; i < Math.min(pages, first + chunkPages); i++) {
        const flags = RamFlag.PAGE | (i === 0 ? 0 : RamFlag.CONTINUE);
        w.u64(BigInt(i * PAGE) | BigInt(flags));
        if (i === 0) w.shortString('pc.ram');
        page.fill((i % 255) + 1);
        new DataView(page.buffer).setUint32(0, i);
        w.bytes(page);
      }
      writeSync(fd, w.finish());
    }
    const tail = new WireWriter();
    tail.u64(RamFlag.EOS).u8(SectionType.FOOTER).u32(2);
    tail.u8(SectionType.END).u32(2).u64(RamFlag.EOS).u8(SectionType.FOOTER).u32(2);
    tail.u8(SectionType.EOF);
    writeSync(fd, tail.finish());
  } finally {
    closeSync(fd);
  }
}
