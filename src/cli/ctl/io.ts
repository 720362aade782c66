/** Where ctl reads and writes: the process by default, buffers in tests. */
export interface CtlIo {
  out(text: string): void;
  err(text: string): void;
  /** Standard output is a terminal: watch redraws in place. */
  readonly isTTY: boolean;
  /** Standard input is a terminal: no script can come from it. */
  readonly stdinIsTTY: boolean;
  /** Reads all of standard input (a script given as -f -). */
  readStdin(): Promise<string>;
  readonly env: NodeJS.ProcessEnv;
  /** Called once when the user interrupts (Ctrl-C); returns a function that stops listening. */
  onInterrupt(listener: () => void): () => void;
}

export function processIo(): CtlIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    onInterrupt: (listener) => {
      process.once('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  };
}
