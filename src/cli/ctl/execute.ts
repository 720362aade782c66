/**
 * Runs one parsed command on an open session (one WebSocket connection =
 * one candidate) and prints its result: tables for people, JSON for scripts.
 */
import * as fs from 'node:fs';

import type { ManagementClient, ShowTopic } from '../../mgmt/client';
import type { ConfigDocument } from '../../mgmt/generated';
import type { CtlCommand, LoadSpec } from './commands';
import { CtlError } from './errors';
import { fmtTime, toJson } from './format';
import type { CtlIo } from './io';
import {
  describeRevision,
  renderCommitted,
  renderConfig,
  renderDiff,
  renderRevisions,
  renderTokens,
} from './render-config';
import {
  renderAttachments,
  renderCounters,
  renderDataplane,
  renderDrops,
  renderPorts,
  renderSas,
  renderServices,
  renderSystem,
  renderWhoami,
  baselineLine,
} from './render-state';
import { watchCounters } from './watch';

export interface Session {
  client: ManagementClient;
  io: CtlIo;
  json: boolean;
  /** Batch mode prints JSON one document per line. */
  compactJson: boolean;
  /** The candidate holds edits not committed or discarded yet. */
  dirty: boolean;
}

function printJson(s: Session, value: unknown): void {
  s.io.out(`${toJson(value, !s.compactJson)}\n`);
}

function print(s: Session, text: string): void {
  s.io.out(`${text}\n`);
}

function readLoadFile(spec: LoadSpec): { text: string; format: 'yaml' | 'json' } {
  let text: string;
  try {
    text = fs.readFileSync(spec.file, 'utf8');
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CtlError('CTL_FILE', `load ${spec.file}: cannot read (${code})`, { exitCode: 2, cause: err });
  }
  return { text, format: /\.json$/i.test(spec.file) ? 'json' : 'yaml' };
}

/** The files a command will load, so they can be checked before anything is sent. */
export function filesToLoad(cmd: CtlCommand): LoadSpec[] {
  if (cmd.kind === 'load') return [cmd.load];
  if (cmd.kind === 'commit') return cmd.edits.flatMap((e) => (e.kind === 'load' ? [e.load] : []));
  return [];
}

/** Throws the same error load would, without keeping the text. */
export function checkLoadable(spec: LoadSpec): void {
  readLoadFile(spec);
}

async function load(s: Session, spec: LoadSpec): Promise<void> {
  const { text, format } = readLoadFile(spec);
  await s.client.load(text, { format, mode: spec.merge ? 'merge' : 'replace' });
  s.dirty = true;
}

function showConfig(s: Session, doc: ConfigDocument, label: string): void {
  if (s.json) printJson(s, JSON.parse(doc.json) as unknown);
  else print(s, renderConfig(doc, label));
}

const STATE_TOPICS = new Set<string>(['counters', 'attachments', 'ports', 'services', 'drops', 'dataplane', 'sa', 'system']);

async function show(s: Session, cmd: Extract<CtlCommand, { kind: 'show' }>): Promise<void> {
  const { client } = s;
  switch (cmd.what) {
    case 'config':
    case 'running':
      if (cmd.revision !== undefined) return showConfig(s, await client.getRevision(cmd.revision), `revision ${cmd.revision}`);
      return showConfig(s, await client.getRunning(), 'running');
    case 'candidate':
      return showConfig(s, await client.getCandidate(), 'candidate (this session)');
    case 'diff': {
      const diff = await client.diff();
      return s.json ? printJson(s, diff) : print(s, renderDiff(diff, 'no changes: the candidate is the running configuration'));
    }
    case 'revisions': {
      const revisions = await client.listRevisions();
      return s.json ? printJson(s, revisions) : print(s, renderRevisions(revisions));
    }
    case 'whoami': {
      const who = await client.whoami();
      return s.json ? printJson(s, who) : print(s, renderWhoami(who));
    }
    default:
      break;
  }
  if (!STATE_TOPICS.has(cmd.what)) throw new Error(`show ${cmd.what}: not handled`);
  const reply = await client.show(cmd.what as ShowTopic);
  if (s.json) return printJson(s, reply);
  switch (cmd.what as ShowTopic) {
    case 'counters':
      return print(s, renderCounters(reply));
    case 'ports':
      return print(s, `${baselineLine(reply.baselineAt)}\n\n${renderPorts(reply.ports)}`);
    case 'attachments':
      return print(s, `${baselineLine(reply.baselineAt)}\n\n${renderAttachments(reply.attachments)}`);
    case 'services':
      return print(s, renderServices(reply.services));
    case 'drops':
      return print(s, renderDrops(reply));
    case 'dataplane':
      return print(s, renderDataplane(reply.dataplane));
    case 'sa':
      return print(s, renderSas(reply.sas));
    case 'system':
      return print(s, renderSystem(reply.system, reply.dataplane));
  }
}

export async function execute(s: Session, cmd: CtlCommand): Promise<void> {
  const { client } = s;
  switch (cmd.kind) {
    case 'show':
      return show(s, cmd);
    case 'set':
      await client.set(cmd.path, cmd.value);
      s.dirty = true;
      return;
    case 'delete':
      await client.delete(cmd.path);
      s.dirty = true;
      return;
    case 'load':
      return load(s, cmd.load);
    case 'validate': {
      const issues = await client.validate();
      if (s.json) printJson(s, { valid: issues.length === 0, issues });
      else if (issues.length === 0) print(s, 'the candidate is valid');
      if (issues.length > 0) throw new CtlError('VALIDATION', `the candidate is not valid (${issues.length} issue${issues.length > 1 ? 's' : ''})`, { exitCode: 2, issues });
      return;
    }
    case 'discard':
      await client.discard();
      s.dirty = false;
      return;
    case 'commit': {
      for (const edit of cmd.edits) {
        if (edit.kind === 'set') await client.set(edit.path, edit.value);
        else if (edit.kind === 'delete') await client.delete(edit.path);
        else await load(s, edit.load);
        s.dirty = true;
      }
      const rev = await client.commit({ comment: cmd.comment, confirmedSeconds: cmd.confirmedSeconds });
      s.dirty = false;
      return s.json ? printJson(s, rev) : print(s, renderCommitted(rev, 'commit'));
    }
    case 'rollback': {
      const rev = await client.rollback(cmd.revision, cmd.comment);
      return s.json ? printJson(s, rev) : print(s, `rollback to revision ${cmd.revision} complete: ${describeRevision(rev)}`);
    }
    case 'compare': {
      const diff = await client.compare(cmd.from, cmd.to);
      return s.json ? printJson(s, diff) : print(s, renderDiff(diff, `no differences between revisions ${cmd.from} and ${cmd.to}`));
    }
    case 'clear-counters': {
      const at = await client.clearCounters();
      return s.json
        ? printJson(s, { baselineAt: at })
        : print(s, `counters cleared at ${fmtTime(at)}: show counters counts from here (exported metrics are unchanged)`);
    }
    case 'watch':
      return watchCounters(client, s.io, { intervalMs: cmd.intervalMs, count: cmd.count, json: s.json });
    case 'token-create': {
      const reply = await client.tokenCreate(cmd.user, cmd.role, cmd.ttlSeconds);
      if (s.json) return printJson(s, reply);
      // The one place a secret is printed: it exists nowhere else (only its hash is kept).
      return print(s, `${reply.token}\n${reply.info ? renderTokens([reply.info]) : ''}\nthe token is shown this once; keep it in a file readable only by its user`);
    }
    case 'token-revoke':
      await client.tokenRevoke(cmd.id);
      return s.json ? printJson(s, { revoked: cmd.id }) : print(s, `token ${cmd.id} revoked`);
    case 'token-list': {
      const tokens = await client.tokenList();
      return s.json ? printJson(s, tokens) : print(s, renderTokens(tokens));
    }
    case 'ping': {
      const started = Date.now();
      const at = await client.ping();
      const rttMs = Date.now() - started;
      return s.json ? printJson(s, { at, rttMs }) : print(s, `pong from ${fmtTime(at)} in ${rttMs} ms`);
    }
  }
}

