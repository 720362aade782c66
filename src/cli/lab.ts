/**
 * cix lab up|down|status [--prefix P] [--config FILE]: the live lab by hand.
 *
 * up: three namespaces and two veth pairs (src/lab/topology.ts), `cix run`
 * in the background inside the cix namespace, and how to poke at it.
 * down: stops cix (SIGTERM: XDP detached, UMEMs freed) and removes every
 * namespace, veth and XDP program of the lab, and counters files no live
 * cix owns. status: what exists.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { ConfigError, ConfigFileError, findProjectRoot, loadConfigFile, validateLive } from '../config';
import { labState, logTail, removeState, runningPid, startBackground, stopBackground } from '../lab/runner';
import { CIX_CUST_ADDRESS, labDown, labNames, labPresent, labUp, linkInfo, type Lab } from '../lab/topology';
import { TRAFFIC_SCRIPT } from '../lab/traffic';
import { ShmCounterFiles } from '../supervisor/counter_files';
import { UsageError } from './args';
import { RUNNING_LINE } from './run';

const USAGE = 'lab up [--prefix P] [--config FILE] | lab down [--prefix P] | lab status [--prefix P]';

function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new UsageError('lab: needs root (network namespaces, XDP); run it with sudo');
  }
}

function howToPoke(lab: Lab, pid: number, logFile: string): string {
  const { cust, cix, cloud } = lab.namespaces;
  return [
    `cix lab: up (prefix ${lab.prefix})`,
    `  namespaces  ${cust} (customer host, eth0 192.0.2.2/24)`,
    `              ${cix} (cix: ports cust0 and cloud0, own address ${CIX_CUST_ADDRESS} on cust0)`,
    `              ${cloud} (cloud on-ramp, eth0)`,
    `  veth pairs  ${cust}/eth0 <-> ${cix}/cust0    ${cix}/cloud0 <-> ${cloud}/eth0`,
    `  cix run     pid ${pid}, log ${logFile}`,
    '',
    'poke at it:',
    `  ip netns exec ${cust} ping -c 3 ${CIX_CUST_ADDRESS}        # answered by the kernel of ${cix}`,
    `  ip netns exec ${cloud} tcpdump -eni eth0                # the customer's frames, re-tagged by cix`,
    `  ip netns exec ${cust} tcpdump -eni eth0`,
    `  ip -n ${cix} link show                                  # xdp attached to cust0 and cloud0`,
    `  /usr/bin/python3 ${TRAFFIC_SCRIPT}   # scapy traffic between the namespaces (usage)`,
    `  cix lab status${lab.prefix === 'cix-lab' ? '' : ` --prefix ${lab.prefix}`}`,
    `  cix lab down${lab.prefix === 'cix-lab' ? '' : ` --prefix ${lab.prefix}`}                                         # stops cix, removes everything`,
  ].join('\n');
}

async function up(lab: Lab, configPath: string): Promise<void> {
  const state = labState(lab);
  const running = runningPid(state);
  if (running !== undefined) throw new UsageError(`lab: already up (cix run pid ${running}); cix lab down first`);
  const config = await loadConfigFile(configPath);
  const live = validateLive(config.source);
  if (live.length > 0) throw new ConfigError(live, configPath);

  await labUp(lab, { queues: config.dataplane.workers });
  let pid: number;
  try {
    pid = await startBackground(state, {
      cli: path.join(__dirname, 'main.js'),
      config: path.resolve(configPath),
      netns: lab.namespaces.cix,
      readyLine: RUNNING_LINE,
    });
  } catch (err) {
    await labDown(lab).catch(() => undefined);
    throw err;
  }
  process.stdout.write(`${howToPoke(lab, pid, state.logFile)}\n`);
}

async function down(lab: Lab): Promise<void> {
  const state = labState(lab);
  const stopped = await stopBackground(state);
  const removed = await labDown(lab);
  removeState(state);
  // A cix run killed outright (kill -9) leaves its counters file; no live process owns it now.
  const stale = new ShmCounterFiles().sweepStale().map((f) => `stale counters ${f}`);
  const what = [...(stopped ? ['cix run (stopped: XDP detached, UMEMs freed)'] : []), ...removed, ...stale];
  process.stdout.write(what.length > 0 ? `cix lab: removed ${what.join(', ')}\n` : 'cix lab: nothing to remove\n');
}

async function status(lab: Lab): Promise<number> {
  const state = labState(lab);
  const present = labPresent(lab);
  const pid = runningPid(state);
  const lines = [`cix lab (prefix ${lab.prefix}):`];
  lines.push(`  namespaces  ${present.length > 0 ? present.join(' ') : 'none'}`);
  lines.push(`  cix run     ${pid !== undefined ? `pid ${pid}, log ${state.logFile}` : 'not running'}`);
  if (present.includes(lab.namespaces.cix)) {
    for (const end of [lab.cixCust, lab.cixCloud]) {
      const info = await linkInfo(end).catch(() => undefined);
      if (info === undefined) {
        lines.push(`  ${end.iface.padEnd(10)}  missing`);
        continue;
      }
      const xdp = info.xdpMode === undefined ? 'no xdp' : `xdp ${info.xdpProgram ?? '?'} (${info.xdpMode})`;
      lines.push(`  ${end.iface.padEnd(10)}  ${info.operstate}, ${xdp}, ${info.addresses.join(' ') || 'no address'}`);
    }
  }
  if (pid !== undefined) lines.push('  last log lines:', ...logTail(state, 8).split('\n').map((l) => `    ${l}`));
  process.stdout.write(`${lines.join('\n')}\n`);
  return present.length === 3 && pid !== undefined ? 0 : 3;
}

export async function runLab(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { prefix: { type: 'string' }, config: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: cix ${USAGE}`);
  let lab: Lab;
  try {
    lab = labNames(values.prefix);
  } catch (err: unknown) {
    throw new UsageError((err as Error).message);
  }
  const sub = positionals[0];
  try {
    switch (sub) {
      case 'up':
        requireRoot();
        await up(lab, values.config ?? path.join(findProjectRoot(), 'examples', 'lab.yaml'));
        return 0;
      case 'down':
        if (values.config !== undefined) throw new UsageError('lab down: --config is for lab up');
        requireRoot();
        await down(lab);
        return 0;
      case 'status':
        return await status(lab);
      default:
        throw new UsageError(`lab: unknown subcommand "${sub}" (usage: cix ${USAGE})`);
    }
  } catch (err: unknown) {
    // Usage and configuration errors are reported by main (exit 2); a failed command or start is one line here.
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof ConfigFileError || !(err instanceof Error)) throw err;
    process.stderr.write(`cix lab ${sub}: ${err.message}\n`);
    return 1;
  }
}
