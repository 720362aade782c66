/**
 * cix demo: the live lab (src/lab/demo.ts: namespaces, cix running between
 * them, real traffic both ways, live counters, everything removed after).
 *
 * cix demo --replay: the bundled sample captures through
 * examples/qinq-xconnect.yaml, shown as tables, then the first frames of
 * each output decoded by tshark (an implementation we did not write) when it
 * is installed. Needs neither root nor namespaces.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { parseArgs } from 'node:util';

import { findProjectRoot } from '../config/proto';
import { DEMO_PREFIX, runLiveDemo } from '../lab/demo';
import { labNames } from '../lab/topology';
import { runReplay } from '../replay/replay';
import { renderSummary } from '../replay/summary';
import { UsageError, parseIntArg } from './args';

const SAMPLE_PORTS = ['cust0', 'cust1', 'cloud0'];

function decode(file: string, count: number): string | undefined {
  const fields = ['frame.number', 'eth.type', 'ieee8021ad.id', 'vlan.id', 'vlan.priority', '_ws.col.Protocol', '_ws.col.Info'];
  const args = ['-r', file, '-c', String(count), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const r = spawnSync('tshark', [...args, '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=/'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return r.stdout;
}

async function replayDemo(): Promise<void> {
  const root = findProjectRoot();
  const config = path.join(root, 'examples', 'qinq-xconnect.yaml');
  const inputs: Record<string, string> = {};
  for (const port of SAMPLE_PORTS) inputs[port] = path.join(root, 'examples', 'captures', `${port}.pcap`);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cix-demo-'));
  try {
    process.stdout.write(`cix demo: replaying examples/captures/*.pcap through ${path.relative(root, config)}\n`);
    process.stdout.write(`  the same as: cix replay examples/qinq-xconnect.yaml ${SAMPLE_PORTS.map((p) => `--in ${p}=examples/captures/${p}.pcap`).join(' ')} --out DIR\n\n`);
    const summary = await runReplay({ configPath: path.relative(process.cwd(), config) || config, inputs, outDir });
    process.stdout.write(`${renderSummary(summary)}\n`);
    for (const [port, file] of Object.entries(summary.outputs)) {
      const text = decode(file, 4);
      if (text === undefined) break;
      process.stdout.write(`\nfirst frames sent by ${port}, decoded by tshark (frame, outer type, S-VID, C-VIDs, PCPs, protocol, info):\n`);
      process.stdout.write(text.trim() ? text.replace(/^/gm, '  ') : '  (none)\n');
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Relative to the current directory when below it, else absolute. */
function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** cix demo [--seconds N] [--prefix P] | cix demo --replay: 0 when everything arrived as configured. */
export async function runDemo(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { replay: { type: 'boolean', default: false }, seconds: { type: 'string' }, prefix: { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError('demo takes no positional arguments');
  if (values.replay) {
    await replayDemo();
    return 0;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new UsageError('demo: the live lab needs root (network namespaces, XDP); run it with sudo, or try `cix demo --replay`');
  }
  // A closed pipe (cix demo | head) must not kill the demo before it has cleaned up.
  let stdoutOpen = true;
  process.stdout.on('error', () => (stdoutOpen = false));
  const seconds = parseIntArg(values.seconds, '--seconds', 1, 60) ?? 5;
  const prefix = values.prefix ?? DEMO_PREFIX;
  try {
    labNames(prefix);
  } catch (err: unknown) {
    throw new UsageError(`demo: ${(err as Error).message}`);
  }
  const outcome = await runLiveDemo({
    prefix,
    configPath: shortPath(path.join(findProjectRoot(), 'examples', 'lab.yaml')),
    seconds,
    rate: 200,
    out: (text) => void (stdoutOpen && process.stdout.write(text)),
    redraw: process.stdout.isTTY === true,
  });
  const last: Record<typeof outcome, [string, number]> = {
    ok: ['done, everything arrived as configured', 0],
    failed: ['something did not arrive as configured (see above)', 1],
    interrupted: ['interrupted; everything it made is removed', 130],
  };
  process.stdout.write(`cix demo: ${last[outcome][0]}\n`);
  return last[outcome][1];
}
