import { LoadError } from '../../src/wire/load-error.js';

/**
 * Runs `fn` and returns the LoadError it throws. Anything else it throws is
 * rethrown, and throwing nothing fails the test: a refusal test must see a
 * refusal.
 */
export function catchLoadError(fn: () => unknown): LoadError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LoadError) return e;
    throw e;
  }
  throw new Error('expected a LoadError');
}
