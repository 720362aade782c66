/** Errors of a replay run that are the user's to fix (exit code 2 in the CLI). */
export class ReplayInputError extends Error {
  readonly code = 'CIX_REPLAY_INPUT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayInputError';
  }
}
