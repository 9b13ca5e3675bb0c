/**
 * SimTarget: the simulated build behind the Target interface the matrix and
 * the fuzzer drive. Verdicts are data: accepted, refused with the LoadError
 * code and QEMU's wording, harness-error for a machine the build cannot
 * create (QEMU would not start).
 */
import { describe, expect, it } from 'vitest';
import { SimTarget } from '../../../harness/targets/sim-target.js';
import { describeVerdict, exitCodeFor } from '../../../harness/targets/target.js';

describe('SimTarget', () => {
  it('is named sim:<version>', () => {
    expect(new SimTarget('7.2').id).toBe('sim:7.2');
  });

  it('saves and loads: accepted, with the destination snapshot', async () => {
    const src = new SimTarget('7.2', { seed: 3 });
    const saved = await src.save({ machine: 'pc-q35-7.2', devices: ['e1000'], ram: '32M' });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    const loaded = await new SimTarget('8.0').load({ machine: 'pc-q35-7.2', devices: ['e1000'] }, saved.stream);
    expect(loaded.verdict).toEqual({ kind: 'accepted' });
    expect(loaded.snapshot?.machine).toBe('pc-q35-7.2');
  });

  it('refusals carry the check code and QEMU message', async () => {
    const saved = await new SimTarget('7.2').save({ machine: 'pc-q35-7.2', devices: ['e1000'] });
    if (!saved.ok) throw new Error('save failed');
    const loaded = await new SimTarget('7.2').load({ machine: 'pc-q35-7.2' }, saved.stream);
    expect(loaded.verdict).toEqual({ kind: 'refused', code: 'ram.unknown-block', message: 'Unknown ramblock "0000:00:01.0/e1000.rom", cannot accept migration' });
    expect(describeVerdict(loaded.verdict)).toBe('refused: ram.unknown-block: Unknown ramblock "0000:00:01.0/e1000.rom", cannot accept migration');
    expect(exitCodeFor(loaded.verdict)).toBe(1);
  });

  it('garbage is refused, not thrown', async () => {
    const loaded = await new SimTarget('7.2').load({ machine: 'pc-q35-7.2' }, new Uint8Array([1, 2, 3, 4, 5]));
    expect(loaded.verdict.kind).toBe('refused');
  });

  it('a machine the build does not offer is a harness error (exit 2)', async () => {
    const saved = await new SimTarget('2.0').save({ machine: 'pc-q35-7.2' });
    expect(saved.ok).toBe(false);
    if (saved.ok) return;
    expect(saved.verdict.kind).toBe('harness-error');
    expect(exitCodeFor(saved.verdict)).toBe(2);
  });
});
