/**
 * A real management server in the test process (real TransactionManager and
 * ConfigStore on a temp state directory, real TokenStore) over a fake data
 * plane (applier) and a fake ApplianceView, and the real `cix ctl` run as a
 * child process against it (asynchronously: the server must keep answering).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { configFromValue } from '../../src/config';
import { startManagementServer, type ManagementServer } from '../../src/mgmt/server';
import { TokenStore } from '../../src/mgmt/tokens';
import { ConfigStore, TransactionManager } from '../../src/txn';
import type { ConfigApplier } from '../../src/supervisor/api';
import { ROOT, tempDir } from '../helpers/cli';
import { FakeAppliance } from '../metrics/fake-appliance';

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** Ports cust0/cloud0 and attachments cust0-100/cloud0-200 joined by svc1: the names FakeAppliance reports. */
export function initialDoc(): Record<string, unknown> {
  return {
    ports: [{ name: 'cust0' }, { name: 'cloud0', mtu: 9000 }],
    attachments: [
      { name: 'cust0-100', port: 'cust0', vlan: { outer: { vid: 100 } } },
      { name: 'cloud0-200', port: 'cloud0', vlan: { outer: { vid: 200 } } },
    ],
    services: [{ name: 'svc1', xconnect: { endpoints: ['cust0-100', 'cloud0-200'] } }],
  };
}

export class RecordingApplier implements ConfigApplier {
  readonly revisions: number[] = [];
  async apply(_config: unknown, revision: number): Promise<void> {
    this.revisions.push(revision);
  }
}

export interface CtlRig {
  dir: string;
  server: ManagementServer;
  view: FakeAppliance;
  applier: RecordingApplier;
  manager: TransactionManager;
  /** The bootstrap admin token (a secret: tests grep outputs for it). */
  adminToken: string;
  adminTokenFile: string;
  tokens: TokenStore;
  logs: string[];
}

type Teardown = { teardown(fn: () => void | Promise<void>): void };

export interface RigOptions {
  confirmDefaultSeconds?: number;
  /** Serve wss:// with these PEM files (clientCaFile: client certificates are asked for). */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  /** Written to <stateDir>/clients.json: certificate CN -> role. */
  clients?: Record<string, string>;
}

export async function startRig(t: Teardown, opts: RigOptions = {}): Promise<CtlRig> {
  const dir = tempDir(t, 'cix-ctl-');
  const store = await ConfigStore.open(path.join(dir, 'config'), {
    config: configFromValue(initialDoc()).source,
    user: 'setup',
    comment: 'initial',
  });
  const applier = new RecordingApplier();
  const manager = new TransactionManager(store, applier, {
    onError: () => undefined,
    ...(opts.confirmDefaultSeconds !== undefined ? { confirmDefaultSeconds: opts.confirmDefaultSeconds } : {}),
  });
  await manager.start();
  const tokens = await TokenStore.open(dir);
  const adminTokenFile = path.join(dir, 'admin.token');
  const adminToken = fs.readFileSync(adminTokenFile, 'utf8').trim();
  if (opts.clients) fs.writeFileSync(path.join(dir, 'clients.json'), JSON.stringify(opts.clients), { mode: 0o600 });
  const view = new FakeAppliance();
  const logs: string[] = [];
  const server = await startManagementServer({
    txn: manager,
    store,
    view,
    tokens,
    stateDir: dir,
    listen: { host: '127.0.0.1', port: 0 },
    ...(opts.tls ? { tls: opts.tls } : {}),
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  t.teardown(async () => {
    await server.close();
    await manager.close();
  });
  return { dir, server, view, applier, manager, adminToken, adminTokenFile, tokens, logs };
}

export interface CtlRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cix ctl ARGS` (with --url of the rig and the admin token file, unless told otherwise). */
export function ctl(
  rig: CtlRig,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; auth?: boolean; timeoutMs?: number; url?: string } = {},
): Promise<CtlRun> {
  const auth = opts.auth === false ? [] : ['--token-file', rig.adminTokenFile];
  const child = spawn(process.execPath, [CLI, 'ctl', '--url', opts.url ?? rig.server.url, ...auth, ...args], {
    cwd: ROOT,
    env: { ...process.env, CIX_TOKEN: '', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cix ctl ${args.join(' ')}: no exit within ${opts.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
