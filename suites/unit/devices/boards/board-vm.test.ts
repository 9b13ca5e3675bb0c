// Seed 001 (migration: discard non-migratable RAMBlocks, 2018) as behaviour.
import { describe, expect, it } from 'vitest';
import { expectedBreaks, getBuild } from '../../../../src/builds/index.js';
import { RAM_MIGRATABLE_RELEASE } from '../../../../src/machines/index.js';
import { SEED_001_BOARDS, bootBoard, mainRamIdstr } from '../../../../src/devices/boards/index.js';

const PRE = '2.12';
const POST = '3.0';

function migrate(from: string, to: string, board: string, registered = false) {
  const src = bootBoard(from, board, { seed: 5, registered });
  const dst = bootBoard(to, board, { incoming: true, registered });
  const before = dst.snapshot();
  const verdict = dst.load(src.save());
  return { src, dst, before, verdict };
}

describe('seed 001 boards', () => {
  it('the flag arrives in 3.0 and 2.12 lacks it (catalog)', () => {
    expect(RAM_MIGRATABLE_RELEASE).toBe(POST);
    expect(getBuild(PRE).ram['migratable-flag']).toBe(false);
    expect(getBuild(POST).ram['migratable-flag']).toBe(true);
    // aspeed, highbank, boston, malta, magnum: the thread's list (jazz = magnum)
    expect([...SEED_001_BOARDS].sort()).toEqual(['aspeed', 'boston', 'highbank', 'magnum', 'malta']);
  });

  for (const board of SEED_001_BOARDS) {
    describe(board, () => {
      it('same build without the flag: every block is sent, state identical', () => {
        const { src, dst, verdict } = migrate(PRE, PRE, board);
        expect(verdict.accepted).toBe(true);
        expect(dst.snapshot().blocks).toEqual(src.snapshot().blocks);
      });

      it('same build with the flag: the unregistered block is skipped, destination keeps its firmware copy', () => {
        const { src, dst, before, verdict } = migrate(POST, POST, board);
        expect(verdict.accepted).toBe(true);
        const after = dst.snapshot().blocks;
        const main = mainRamIdstr(board);
        // registered main RAM arrives...
        expect(after[main]).toEqual(src.snapshot().blocks[main]);
        // ...the skipped block is the destination's own (firmware only): not the guest's writes
        for (const id of Object.keys(after).filter((k) => k !== main)) {
          expect(after[id]).toEqual(before.blocks[id]);
          expect(after[id]).not.toEqual(src.snapshot().blocks[id]);
        }
      });

      it('pre-flag source -> post-flag destination is refused: the block should not be migrated', () => {
        const { dst, before, verdict } = migrate(PRE, POST, board);
        expect(verdict.accepted).toBe(false);
        if (verdict.accepted) return;
        // ram.c (3.0+): "block %s should not be migrated !" for a block the destination knows but did not register
        expect(verdict.error.code).toBe('ram.block-not-migratable');
        expect(verdict.error.message).toMatch(/^block \S+ should not be migrated !$/);
        // transactional: nothing committed
        expect(dst.snapshot()).toEqual(before);
        // the catalog documents exactly this outcome as an expected break
        const matched = expectedBreaks(PRE, POST, board)[0];
        expect(matched?.break.id).toBe('ram-migratable-unregistered-boards');
        expect(matched?.manifest).toMatchObject({ kind: 'refused', code: verdict.error.code });
      });

      it('post-flag source -> pre-flag destination is accepted but the unregistered block contents are lost', () => {
        const { src, dst, before, verdict } = migrate(POST, PRE, board);
        expect(verdict.accepted).toBe(true);
        const after = dst.snapshot().blocks;
        const s = src.snapshot().blocks;
        expect(after[mainRamIdstr(board)]).toEqual(s[mainRamIdstr(board)]);
        const lost = Object.keys(after).filter((k) => k !== mainRamIdstr(board));
        expect(lost.length).toBeGreaterThan(0);
        for (const id of lost) {
          expect(after[id]).not.toEqual(s[id]);
          expect(after[id]).toEqual(before.blocks[id]);
        }
        expect(expectedBreaks(POST, PRE, board)[0]?.manifest.kind).toBe('state-difference');
      });

      it('after the fix (vmstate_register_ram) the board migrates across the flag both ways', () => {
        for (const [from, to] of [[PRE, POST], [POST, PRE], [POST, POST]] as const) {
          const { src, dst, verdict } = migrate(from, to, board, true);
          expect(verdict.accepted, `${from} -> ${to}`).toBe(true);
          expect(dst.snapshot().blocks).toEqual(src.snapshot().blocks);
        }
      });
    });
  }

  it('a destination without the block refuses it as unknown (Unknown ramblock)', () => {
    const src = bootBoard(PRE, 'highbank', { seed: 3 });
    const dst = bootBoard(POST, 'highbank', { incoming: true });
    dst.ram.blocks = dst.ram.blocks.filter((b) => b.idstr === mainRamIdstr('highbank'));
    const verdict = dst.load(src.save());
    expect(verdict.accepted).toBe(false);
    if (!verdict.accepted) {
      expect(verdict.error.code).toBe('ram.unknown-block');
      expect(verdict.error.message).toBe('Unknown ramblock "highbank.sysram", cannot accept migration');
    }
  });
});
