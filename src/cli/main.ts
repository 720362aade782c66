#!/usr/bin/env node
/**
 * cix: the one command-line entry point.
 *
 * Exit codes: 0 done; 2 the input was wrong (usage, configuration, captures):
 * one line per problem on stderr, nothing written; 1 anything else.
 */
import { parseArgs } from 'node:util';

import { ConfigError, ConfigFileError } from '../config';
import { ReplayInputError } from '../replay/errors';
import { runReplay } from '../replay/replay';
import { renderSummary } from '../replay/summary';
import { UsageError, parseIntArg, parsePortFiles } from './args';
import { runCtl } from './ctl';
import { runDemo } from './demo';
import { runLab } from './lab';
import { runRun } from './run';
import { runValidate } from './validate';

const USAGE = `usage: cix <command> [options]

commands:
  replay CONFIG --in PORT=FILE [--in PORT=FILE ...] --out DIR [--burst N] [--table]
      run captures through the fast path offline; writes DIR/<port>.pcap for
      every port and prints a JSON summary (or tables with --table)
  validate CONFIG
      check a configuration file; prints every problem with its path
  run CONFIG [--netns NAME]
      run the appliance on real interfaces (afxdp, afpacket) until SIGINT/SIGTERM;
      the dataplane runs in a supervised process (inside network namespace NAME)
  lab up|down|status [--prefix P] [--config FILE]
      a live lab: network namespaces and veth pairs with cix running between them
  demo [--seconds N] | demo --replay
      the live lab with real traffic and live counters, then removed (root);
      --replay: the bundled sample captures through examples/qinq-xconnect.yaml
  ctl [options] COMMAND... | ctl [options] -f FILE
      the management channel: show, set, commit, rollback, watch, ... (cix ctl help)
  help
`;

async function replayCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      in: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      burst: { type: 'string' },
      table: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('replay: exactly one CONFIG file expected');
  if (values.out === undefined) throw new UsageError('replay: --out DIR is required');
  const inputs = parsePortFiles(values.in ?? [], '--in');
  if (Object.keys(inputs).length === 0) throw new UsageError('replay: at least one --in PORT=FILE is required');
  const summary = await runReplay({
    configPath: positionals[0],
    inputs,
    outDir: values.out,
    burst: parseIntArg(values.burst, '--burst', 1, 256),
    onWarning: (m) => process.stderr.write(`cix: warning: ${m}\n`),
  });
  process.stdout.write(values.table ? `${renderSummary(summary)}\n` : `${JSON.stringify(summary, null, 2)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay':
      await replayCommand(rest);
      return 0;
    case 'validate':
      return runValidate(rest);
    case 'ctl':
      return runCtl(rest);
    case 'demo':
      return runDemo(rest);
    case 'run':
      return runRun(rest);
    case 'lab':
      return runLab(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}" (try: cix help)`);
  }
}

function report(err: unknown): number {
  if (err instanceof ConfigError) {
    for (const line of err.report().split('\n')) process.stderr.write(`cix: ${line}\n`);
    return 2;
  }
  if (err instanceof ConfigFileError || err instanceof ReplayInputError || err instanceof UsageError) {
    process.stderr.write(`cix: ${err.message}\n`);
    return 2;
  }
  // parseArgs throws TypeErrors with codes for unknown or malformed options.
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`cix: ${(err as Error).message}\n`);
    return 2;
  }
  process.stderr.write(`cix: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = report(err);
  },
);
