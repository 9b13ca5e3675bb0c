/** A mistake in how the command was called, or a missing environment piece: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
