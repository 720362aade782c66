/**
 * Runs async jobs one at a time, in the order they were submitted: commits,
 * rollbacks and the confirmation timer of every session go through one
 * queue, so the data plane is never asked to apply two configurations at once
 * and no commit works from a running revision another is replacing.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    // The next job waits for this one however it ends.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every job submitted so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
