import { describe, expect, it } from 'vitest';
import { LoadError, WireReader, WireWriter } from '../../../src/wire/index.js';
import { catchLoadError } from '../../helpers/catch-load-error.js';

describe('WireReader', () => {
  it('reads big-endian integers of every width', () => {
    // 0x0102 as u16, 0x03040506 as u32, then 0xff as i8 (-1), 0xfffe as i16 (-2)
    const r = new WireReader(Uint8Array.from([1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xfe]));
    expect(r.u16()).toBe(0x0102);
    expect(r.u32()).toBe(0x03040506);
    expect(r.i8()).toBe(-1);
    expect(r.i16()).toBe(-2);
    expect(r.atEnd()).toBe(true);
  });

  it('reads 64-bit values as bigint beyond 2^53', () => {
    const r = new WireReader(Uint8Array.from([0x80, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(r.u64()).toBe(0x8000000000000001n);
    expect(r.i64()).toBe(-1n);
  });

  it('refuses a read past the end as truncated, at the offset of the read', () => {
    const r = new WireReader(Uint8Array.from([0, 0, 0]));
    r.u8();
    const err = catchLoadError(() => r.u32());
    expect(err.code).toBe('wire.truncated');
    expect(err.offset).toBe(1);
    expect(r.pos).toBe(1); // a failed read consumes nothing
  });

  it('refuses a 2^40-byte length claim without allocating', () => {
    const r = new WireReader(new Uint8Array(16));
    const before = process.memoryUsage().arrayBuffers;
    const err = catchLoadError(() => r.bytes(2n ** 40n));
    expect(err.code).toBe('wire.truncated');
    // A 1 TiB allocation would have thrown RangeError or grown arrayBuffers by 2^40.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('returns buffers as views into the input, not copies', () => {
    const input = Uint8Array.from([9, 8, 7, 6]);
    const r = new WireReader(input);
    r.u8();
    const v = r.bytes(2);
    expect(v.buffer).toBe(input.buffer);
    expect(v.byteOffset).toBe(1);
  });

  it('reads a one-byte-length idstr', () => {
    const r = new WireReader(Uint8Array.from([3, 0x72, 0x61, 0x6d]));
    expect(r.shortString()).toBe('ram');
  });

  it('refuses an idstr whose length byte points past the end', () => {
    const r = new WireReader(Uint8Array.from([255, 0x61]));
    expect(catchLoadError(() => r.shortString()).code).toBe('wire.truncated');
  });
});

describe('WireWriter', () => {
  it('writes what the reader reads, growing past its initial capacity', () => {
    const w = new WireWriter(2);
    w.u8(0xab).u16(0x1234).u32(0xdeadbeef).u64(0x0123456789abcdefn).i32(-5).i64(-7n).shortString('pc.ram');
    const r = new WireReader(w.finish());
    expect(r.u8()).toBe(0xab);
    expect(r.u16()).toBe(0x1234);
    expect(r.u32()).toBe(0xdeadbeef);
    expect(r.u64()).toBe(0x0123456789abcdefn);
    expect(r.i32()).toBe(-5);
    expect(r.i64()).toBe(-7n);
    expect(r.shortString()).toBe('pc.ram');
    expect(r.atEnd()).toBe(true);
  });

  it('writes the QEVM header bytes QEMU writes', () => {
    // QEMU_VM_FILE_MAGIC 0x5145564d ("QEVM"), QEMU_VM_FILE_VERSION 3 (migration/savevm.c)
    const bytes = new WireWriter().u32(0x5145564d).u32(3).finish();
    expect(Buffer.from(bytes).toString('hex')).toBe('5145564d00000003');
  });
});

