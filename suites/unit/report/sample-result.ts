/** A small result made by the real pipeline (plan, fake engine, classifier) for the report suites. */
import { runMatrix } from '../../../harness/matrix/run.js';
import type { MatrixResult } from '../../../harness/report/model.js';
import type { BuildRef } from '../../../harness/matrix/types.js';
import { createEngine } from '../matrix/fixtures/fake-engine.mjs';

export const BUILDS: BuildRef[] = [
  { name: '7.2', kind: 'sim', version: '7.2', catalogVersion: '7.2', machines: ['pc-q35-7.2', 'pc-i440fx-7.2'] },
  { name: '8.0', kind: 'sim', version: '8.0', catalogVersion: '8.0', machines: ['pc-q35-7.2', 'pc-i440fx-7.2'] },
  { name: '8.1', kind: 'sim', version: '8.1', catalogVersion: '8.1', machines: ['pc-q35-7.2', 'pc-i440fx-7.2'] },
];

/**
 * 2 machine types x (3 controls + 3 pairs x 3) = 24 cells. Made-up outcomes:
 * 8.0 -> 7.2 on pc-q35-7.2 with a root port refuses with Bad config data,
 * which the catalog documents (pcie-err-unc-mask-8.0), but the sample has no
 * device sets, so it is a regression here (the break needs the device); the
 * same backward leg inside the 7.2 -> 8.0 -> 7.2 round trip is one too.
 * 8.1 -> 8.0 on pc-i440fx-7.2 loses a register: a state-diff regression,
 * twice (backward, and the 8.0 -> 8.1 -> 8.0 round trip).
 * The message carries markup to prove reports escape it.
 */
export async function sampleResult(): Promise<MatrixResult> {
  const engine = createEngine({
    rules: [
      { machine: 'pc-q35-7.2', from: '8.0', to: '7.2', verdict: { kind: 'refused', code: 'pci.bad-config-data', message: 'get_pci_config_device: Bad config data </script><b>x</b> & "q"' } },
      { machine: 'pc-i440fx-7.2', from: '8.1', to: '8.0', stateDiff: true },
    ],
  });
  return runMatrix({ builds: BUILDS, engine, workers: 1, runId: '00000000-0000-4000-8000-000000000001' });
}
