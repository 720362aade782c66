/**
 * cix demo: the bundled sample captures through examples/qinq-xconnect.yaml,
 * shown as tables, then the first frames of each output decoded by tshark
 * (an implementation we did not write) when it is installed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { findProjectRoot } from '../config/proto';
import { runReplay } from '../replay/replay';
import { renderSummary } from '../replay/summary';
import { UsageError } from './args';

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

export async function runDemo(argv: string[]): Promise<void> {
  if (argv.length > 0) throw new UsageError('demo takes no arguments');
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
