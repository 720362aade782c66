/**
 * The options of `cix ctl` itself (where to connect, how to authenticate,
 * how to print), which come before the command words; `--json` may also
 * come last. Everything after the options is the command (commands.ts).
 */
import { usage } from './errors';

export interface CtlOptions {
  url: string | undefined;
  token: string | undefined;
  tokenFile: string | undefined;
  json: boolean;
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  /** -f FILE: a batch script ("-" = standard input). */
  script: string | undefined;
  help: boolean;
  /** The command words (empty with -f, or with a script on stdin). */
  words: string[];
}

const WITH_VALUE: Record<string, keyof CtlOptions> = {
  '--url': 'url',
  '--token': 'token',
  '--token-file': 'tokenFile',
  '--ca': 'ca',
  '--cert': 'cert',
  '--key': 'key',
  '-f': 'script',
  '--file': 'script',
};

export const OPTIONS_HELP = `usage: cix ctl [options] COMMAND...     one command, one session
       cix ctl [options] -f FILE|-         one command per line, all in one session

options:
  --url URL           ws://host:port or wss://host:port (default ws://127.0.0.1:8442)
  --token TOKEN       bearer token (visible to other users in ps: prefer the next two)
  --token-file FILE   read the token from FILE (e.g. <state dir>/admin.token)
                      (without either: $CIX_TOKEN)
  --ca FILE           PEM CA to check a wss:// server's certificate with
  --cert FILE --key FILE
                      PEM client certificate and key (wss://), instead of or besides a token
  --json              print JSON for scripts instead of tables (may also come last)
  -f FILE             run the commands of FILE ("-": standard input) in one session`;

export function parseCtlOptions(argv: readonly string[]): CtlOptions {
  const opts: CtlOptions = {
    url: undefined,
    token: undefined,
    tokenFile: undefined,
    json: false,
    ca: undefined,
    cert: undefined,
    key: undefined,
    script: undefined,
    help: false,
    words: [],
  };
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '-') {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--json' || name === '--help' || name === '-h') {
      if (eq > 0) throw usage(`${name} takes no value`);
      if (name === '--json') opts.json = true;
      else opts.help = true;
      i++;
      continue;
    }
    const field = WITH_VALUE[name];
    if (field === undefined) throw usage(`unknown option ${name} (try: cix ctl help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (value === undefined || value === '') throw usage(`${name}: a value is expected`);
    if (opts[field] !== undefined) throw usage(`${name} given twice`);
    (opts as unknown as Record<string, string>)[field] = value;
    i += eq > 0 ? 1 : 2;
  }
  const words = argv.slice(i);
  if (words.length > 0 && words[words.length - 1] === '--json') {
    opts.json = true;
    words.pop();
  }
  if (words[0] === 'help') opts.help = true;
  opts.words = words;
  if (opts.script !== undefined && words.length > 0) throw usage(`-f ${opts.script}: no command words with a script (got "${words[0]}")`);
  if (opts.token !== undefined && opts.tokenFile !== undefined) throw usage('--token and --token-file: give one');
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw usage('--cert and --key go together');
  return opts;
}
