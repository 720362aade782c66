/**
 * cix replay: captured traffic through the real fast path, offline.
 *
 * Every port of the configuration writes what it transmitted to
 * <out>/<port>.pcap; ports named in `inputs` receive the frames of their
 * capture. The native side writes each output under a temporary name and
 * renames it only when the whole run succeeded, so a failure leaves nothing
 * half-written (and an output directory this run created is removed again).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { formatIssue, loadConfigFile } from '../config';
import { buildPlan } from '../dataplane/plan';
import { DataplaneHost } from '../dataplane/host';
import type { ReplayPortPaths } from '../native/binding';
import { ReplayInputError } from './errors';
import { summarize, type ReplaySummary } from './summary';

export interface ReplayOptions {
  /** Told each configuration warning (an attachment in no service, say). */
  onWarning?: (message: string) => void;
  configPath: string;
  /** Port name -> capture file (pcap or pcapng). */
  inputs: Record<string, string>;
  outDir: string;
  /** Frames per burst through the pipeline (1-256). */
  burst?: number;
}

export const DEFAULT_BURST = 32;

function checkInputs(inputs: Record<string, string>, portNames: string[], configPath: string): void {
  for (const [port, file] of Object.entries(inputs)) {
    if (!portNames.includes(port)) {
      throw new ReplayInputError(
        `--in ${port}=${file}: no port "${port}" in ${configPath} (ports: ${portNames.join(', ')})`,
      );
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new ReplayInputError(`${file}: no such capture file`);
    }
    if (!st.isFile()) throw new ReplayInputError(`${file}: not a capture file`);
  }
}

/** Creates outDir if needed; returns whether this call created it. */
function prepareOutDir(outDir: string): boolean {
  try {
    const st = fs.statSync(outDir);
    if (!st.isDirectory()) throw new ReplayInputError(`${outDir}: exists and is not a directory`);
    return false;
  } catch (err) {
    if (err instanceof ReplayInputError) throw err;
  }
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new ReplayInputError(`${outDir}: cannot create (${(err as Error).message})`, { cause: err });
  }
  return true;
}

export async function runReplay(opts: ReplayOptions): Promise<ReplaySummary> {
  const burst = opts.burst ?? DEFAULT_BURST;
  if (!Number.isInteger(burst) || burst < 1 || burst > 256) {
    throw new ReplayInputError(`--burst ${burst}: must be an integer 1-256`);
  }
  const config = await loadConfigFile(opts.configPath);
  for (const w of config.warnings) opts.onWarning?.(`${opts.configPath}: ${formatIssue(w)}`);
  const plan = buildPlan(config);
  const portNames = plan.ports.map((p) => p.name);
  checkInputs(opts.inputs, portNames, opts.configPath);

  const created = prepareOutDir(opts.outDir);
  const outputs: Record<string, string> = {};
  const ports: ReplayPortPaths[] = plan.ports.map((p) => {
    const output = path.join(opts.outDir, `${p.name}.pcap`);
    outputs[p.name] = output;
    const input = opts.inputs[p.name];
    return input === undefined ? { id: p.id, output } : { id: p.id, input: path.resolve(input), output };
  });

  const host = new DataplaneHost({ workers: 1, maxAttachments: Math.max(1, plan.attachments.length) });
  try {
    host.publish(plan);
    let stats;
    try {
      stats = await host.replay(ports, burst);
    } catch (err) {
      if (created) fs.rmSync(opts.outDir, { recursive: true, force: true });
      throw new ReplayInputError((err as Error).message, { cause: err });
    }
    return summarize(
      opts.configPath,
      host.snapshot(),
      { read: stats.framesRead, written: stats.framesWritten },
      { firstNs: stats.firstNs, lastNs: stats.lastNs },
      outputs,
    );
  } finally {
    host.close();
  }
}
