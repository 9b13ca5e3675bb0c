import { LoadError } from '../../../../src/wire/load-error.js';

/** Run fn and return the LoadError it throws; fail the test if it throws anything else or nothing. */
export function catchLoad(fn: () => unknown): LoadError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LoadError) return e;
    throw e;
  }
  throw new Error('expected a LoadError');
}
