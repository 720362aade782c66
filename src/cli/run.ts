/**
 * cix run CONFIG [--netns NAME] [--state-dir DIR] [--mgmt-listen H:P|off]
 *         [--metrics-listen H:P|off] [--tls-cert F --tls-key F [--tls-client-ca F]]:
 * the appliance on real interfaces.
 *
 *   parse options -> open the revision store (the file becomes revision 1
 *   on a first start; afterwards the running revision wins) -> check it ->
 *   start the supervisor (it forks the dataplane process) -> transactions,
 *   management channel, metrics -> hooks (RunHook) -> wait for
 *   SIGINT/SIGTERM -> stop in reverse order.
 *
 * The dataplane process runs in its own process group, so a terminal's
 * Ctrl-C reaches this process only, which stops it in order (workers,
 * sockets, UMEMs, XDP programs). A second Ctrl-C exits at once; the
 * dataplane process then stops by itself when its IPC channel closes.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { ConfigError, configFromValue, formatIssue, loadConfigFile, validateLive, type LoadedConfig } from '../config';
import { netnsExists } from '../lab/netns';
import { NativeLoadError } from '../native/binding';
import { ShmCounterFiles } from '../supervisor/counter_files';
import { NetCommandError, SupervisorError } from '../supervisor/errors';
import { Supervisor } from '../supervisor/supervisor';
import { DEFAULT_PORT } from '../mgmt';
import { DEFAULT_METRICS_LISTEN, parseListenAddress, type ListenAddress } from '../metrics';
import { UsageError } from './args';
import { openStore, startServices, type ServiceOptions } from './run-services';
import { renderTable } from './table';

/** In the state directory: the addresses cix put on interfaces (see PortAddresses). */
const ADDRESS_JOURNAL_FILE = 'addresses.json';

/** The line `cix run` prints once the dataplane runs (cix lab up waits for it). */
export const RUNNING_LINE = 'cix run: running';

/** What a service started by `cix run` gets (the management channel and metrics hook in here). */
export interface RunContext {
  supervisor: Supervisor;
  config: LoadedConfig;
  /** Registers a step for shutdown; steps run in reverse order of registration, before the dataplane stops. */
  onShutdown(step: () => Promise<void>): void;
  /** A line for the operator (stderr). */
  log(line: string): void;
}

export type RunHook = (ctx: RunContext) => Promise<void>;

export interface RunOptions {
  configPath: string;
  netns: string | undefined;
  services: ServiceOptions;
}

/** Where an appliance keeps its revisions, audit log and tokens unless told otherwise. */
export const DEFAULT_STATE_DIR = '/var/lib/cix';

function listenOption(text: string | undefined, dflt: ListenAddress, flag: string): ListenAddress | undefined {
  if (text === undefined) return dflt;
  if (text === 'off') return undefined;
  try {
    return parseListenAddress(text);
  } catch {
    throw new UsageError(`run: ${flag} ${text}: expected HOST:PORT, [V6]:PORT or off`);
  }
}

export function parseRunArgs(argv: string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      netns: { type: 'string' },
      'state-dir': { type: 'string' },
      'mgmt-listen': { type: 'string' },
      'metrics-listen': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-client-ca': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true, default: [] },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run: exactly one CONFIG file expected');
  const netns = values.netns;
  if (netns !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(netns)) {
    throw new UsageError(`run: --netns ${netns}: not a network namespace name`);
  }
  if (netns !== undefined && !netnsExists(netns)) {
    throw new UsageError(`run: --netns ${netns}: no such network namespace (ip netns list)`);
  }
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('run: --tls-cert and --tls-key go together');
  if (values['tls-client-ca'] !== undefined && cert === undefined) throw new UsageError('run: --tls-client-ca needs --tls-cert and --tls-key');
  const tls =
    cert !== undefined && key !== undefined
      ? { certFile: cert, keyFile: key, ...(values['tls-client-ca'] !== undefined ? { clientCaFile: values['tls-client-ca'] } : {}) }
      : undefined;
  return {
    configPath: positionals[0]!,
    netns,
    services: {
      stateDir: values['state-dir'] ?? DEFAULT_STATE_DIR,
      mgmt: listenOption(values['mgmt-listen'], { host: '127.0.0.1', port: DEFAULT_PORT }, '--mgmt-listen'),
      metrics: listenOption(values['metrics-listen'], DEFAULT_METRICS_LISTEN, '--metrics-listen'),
      tls,
      allowedOrigins: values['allow-origin'] ?? [],
    },
  };
}

/** Resolves with the first of SIGINT/SIGTERM; a second one exits at once. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const on = (signal: NodeJS.Signals): void => {
      if (seen) {
        process.stderr.write(`cix run: ${signal} again: exiting now (the dataplane stops on its own)\n`);
        process.exit(130);
      }
      seen = true;
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function statusTable(sup: Supervisor, cfg: LoadedConfig): string {
  const s = sup.state();
  const addrs = new Map(cfg.ports.map((p) => [p.name, p.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' ')]));
  const rows = [['port', 'interface', 'driver', 'mode', 'addresses']];
  for (const p of s.ports) rows.push([p.name, p.interface ?? '-', p.driver, p.mode, addrs.get(p.name) || '-']);
  return renderTable(rows);
}

export async function runRun(argv: string[], hooks: readonly RunHook[] = []): Promise<number> {
  const opts = parseRunArgs(argv);
  const file = await loadConfigFile(opts.configPath);
  const fileLive = validateLive(file.source);
  if (fileLive.length > 0) throw new ConfigError(fileLive, opts.configPath);
  for (const w of file.warnings) process.stderr.write(`cix: warning: ${opts.configPath}: ${formatIssue(w)}\n`);
  const store = await openStore(opts.services.stateDir, opts.configPath, file.source);
  const running = store.running();
  // The store's running revision decides what runs: the file is revision 1 on a first start only.
  const config = configFromValue(running.config, `${opts.services.stateDir} revision ${running.info.number}`);
  if (JSON.stringify(running.config) !== JSON.stringify(file.source)) {
    process.stderr.write(
      `cix run: ${opts.services.stateDir} holds revision ${running.info.number}, which differs from ${opts.configPath}: ` +
        `running revision ${running.info.number} (load the file with cix ctl to change it)\n`,
    );
  }
  const live = validateLive(config.source);
  if (live.length > 0) throw new ConfigError(live, `${opts.services.stateDir} revision ${running.info.number}`);

  // A closed stdout (cix run | head) must not kill the supervisor before it has stopped the dataplane.
  process.stdout.on('error', () => undefined);
  const signal = firstSignal();
  const counterFiles = new ShmCounterFiles();
  counterFiles.sweepStale();
  const log = (line: string): void => void process.stderr.write(`cix run: ${line}\n`);
  let supervisor: Supervisor;
  try {
    supervisor = new Supervisor({ netns: opts.netns, counterFiles, log, addressJournal: path.join(opts.services.stateDir, ADDRESS_JOURNAL_FILE) });
  } catch (err: unknown) {
    if (!(err instanceof NativeLoadError)) throw err;
    process.stderr.write(`cix run: cannot start: ${err.message}\n`);
    return 1;
  }
  const shutdown: (() => Promise<void>)[] = [];
  try {
    try {
      await supervisor.apply(config.source, running.info.number);
    } catch (err: unknown) {
      // The data plane could not start (an interface missing, XDP refused, the addon not built): one line, exit 1.
      if (err instanceof SupervisorError || err instanceof NetCommandError || err instanceof NativeLoadError) {
        process.stderr.write(`cix run: cannot start: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    const s = supervisor.state();
    const where = opts.netns === undefined ? '' : ` in network namespace ${opts.netns}`;
    process.stdout.write(
      `cix run: ${opts.configPath} (revision ${s.revision}): dataplane process ${s.dataplane.pid}${where}, ` +
        `${s.dataplane.workers} worker${s.dataplane.workers === 1 ? '' : 's'}\n${statusTable(supervisor, config)}\n`,
    );

    const services = await startServices(store, supervisor, opts.services, log);
    shutdown.push(() => services.close());

    // Hook point: further services that run beside the dataplane.
    const ctx: RunContext = { supervisor, config, onShutdown: (step) => void shutdown.push(step), log };
    for (const hook of hooks) await hook(ctx);

    process.stdout.write(`${RUNNING_LINE} (Ctrl-C or SIGTERM stops it)\n`);
    const got = await signal;
    process.stdout.write(`cix run: ${got}: stopping\n`);
  } finally {
    for (const step of shutdown.reverse()) {
      await step().catch((err: unknown) => log(`shutdown step failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    await supervisor.close();
  }
  process.stdout.write('cix run: stopped (dataplane process ended: XDP programs detached, UMEMs freed)\n');
  return 0;
}
