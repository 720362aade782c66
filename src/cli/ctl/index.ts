/**
 * `cix ctl`: the management channel from the command line.
 *
 * One invocation is one session (one WebSocket connection, one private
 * candidate). A single command runs and the session ends — so `set` alone
 * only checks the edit; to change the configuration, either give the edits
 * to `commit` (--set/--delete/--load), or run a script with -f FILE (or -f -
 * for standard input) whose lines all share one session.
 *
 * Exit codes: 0 done; 2 the input was wrong (usage, a bad path, an invalid
 * candidate, an unknown revision), one line per problem on stderr; 1
 * anything else (connection, authentication, the server refused).
 */
import * as fs from 'node:fs';

import { ManagementClient } from '../../mgmt/client';
import { ClientError, RemoteError } from '../../mgmt/errors';
import { COMMAND_HELP, parseCommand, type CtlCommand } from './commands';
import { clientOptions } from './credentials';
import { CtlError } from './errors';
import { checkLoadable, execute, filesToLoad, type Session } from './execute';
import { processIo, type CtlIo } from './io';
import { OPTIONS_HELP, parseCtlOptions } from './options';
import { issueLines } from './render-config';
import { scriptLines, wordsFromArgv } from './words';

/** Server error codes that mean "your input was wrong": exit code 2, like a bad configuration file. */
const INPUT_CODES = new Set(['VALIDATION', 'PATH', 'BAD_REQUEST', 'NOT_FOUND']);

interface Step {
  /** "FILE:LINE: " in scripts, '' on the command line. */
  where: string;
  command: CtlCommand;
}

async function readSteps(script: string | undefined, words: string[], io: CtlIo): Promise<Step[]> {
  if (script === undefined && words.length > 0) {
    const command = parseCommand(wordsFromArgv(words));
    filesToLoad(command).forEach(checkLoadable);
    return [{ where: '', command }];
  }
  let text: string;
  const name = script === undefined || script === '-' ? 'stdin' : script;
  if (script === undefined || script === '-') {
    text = await io.readStdin();
  } else {
    try {
      text = fs.readFileSync(script, 'utf8');
    } catch (err: unknown) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new CtlError('CTL_FILE', `-f ${script}: cannot read (${code})`, { exitCode: 2, cause: err });
    }
  }
  // Every line is parsed (and its files found) before anything is sent: a typo on
  // line 9 stops line 1 from running.
  const steps: Step[] = [];
  const problems: string[] = [];
  for (const line of scriptLines(text)) {
    const where = `${name}:${line.number}: `;
    try {
      const command = parseCommand(line.words);
      filesToLoad(command).forEach(checkLoadable);
      steps.push({ where, command });
    } catch (err: unknown) {
      if (!(err instanceof CtlError)) throw err;
      problems.push(`${where}${err.message}`);
    }
  }
  if (problems.length > 0) {
    throw new CtlError('CTL_USAGE', problems.join('\n'), { exitCode: 2 });
  }
  if (steps.length === 0) throw new CtlError('CTL_USAGE', `${name}: no commands`, { exitCode: 2 });
  return steps;
}

/** Prints an error (one line per issue) and gives its exit code. */
function report(io: CtlIo, err: unknown, where: string): number {
  const say = (line: string): void => io.err(`cix: ${where}${line}\n`);
  if (err instanceof RemoteError) {
    // With issues, they say it all (one line each); the message would repeat the first.
    say(err.issues.length > 0 ? `${err.request} refused (${err.code})` : `${err.request} refused (${err.code}): ${err.message}`);
    for (const line of issueLines(err.issues)) say(line);
    return INPUT_CODES.has(err.code) ? 2 : 1;
  }
  if (err instanceof CtlError) {
    for (const line of err.message.split('\n')) say(err.code === 'CTL_USAGE' || err.code === 'CTL_FILE' ? line : `${line} (${err.code})`);
    for (const line of issueLines(err.issues)) say(line);
    return err.exitCode;
  }
  if (err instanceof ClientError) {
    say(`${err.message} (${err.code})`);
    return 1;
  }
  throw err;
}

export async function runCtl(argv: readonly string[], io: CtlIo = processIo()): Promise<number> {
  let steps: Step[];
  let session: Session | undefined;
  try {
    const opts = parseCtlOptions(argv);
    if (opts.help) {
      io.out(`${OPTIONS_HELP}\n\n${COMMAND_HELP}\n`);
      return 0;
    }
    if (opts.script === undefined && opts.words.length === 0 && io.stdinIsTTY) {
      throw new CtlError('CTL_USAGE', 'a command is expected (try: cix ctl help)', { exitCode: 2 });
    }
    const connectWith = clientOptions(opts, io.env);
    steps = await readSteps(opts.script, opts.words, io);
    const batch = steps.length > 1 || opts.script !== undefined;
    const client = await ManagementClient.connect(connectWith);
    session = { client, io, json: opts.json, compactJson: batch, dirty: false };
  } catch (err: unknown) {
    return report(io, err, '');
  }

  const s = session;
  try {
    for (const step of steps) {
      try {
        await execute(s, step.command);
      } catch (err: unknown) {
        return report(io, err, step.where);
      }
    }
    if (s.dirty) {
      io.err(
        'cix: warning: the candidate has changes that were not committed; they end with this session ' +
          '(commit in the same invocation: cix ctl commit --set PATH=VALUE, or a script with -f)\n',
      );
    }
    return 0;
  } finally {
    await s.client.close();
  }
}
