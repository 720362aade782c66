/**
 * The services `cix run` starts beside the dataplane: the configuration
 * store (revisions under the state directory), transactions, the management
 * channel and the metrics endpoint. Opened before the data plane starts,
 * because the running revision, not the file, decides what runs once the
 * state directory holds one.
 */
import type { Config } from '../config';
import { startManagementServer, TokenStore, type ManagementServer, type TlsFiles } from '../mgmt';
import { startMetricsServer, type ListenAddress, type MetricsServer } from '../metrics';
import type { Supervisor } from '../supervisor/supervisor';
import { ConfigStore, TransactionManager } from '../txn';

export interface ServiceOptions {
  stateDir: string;
  /** undefined: no management channel. */
  mgmt: ListenAddress | undefined;
  /** undefined: no metrics endpoint. */
  metrics: ListenAddress | undefined;
  tls: TlsFiles | undefined;
  allowedOrigins: string[];
}

/** The revision store, opened with the file as revision 1 on a first start. */
export async function openStore(stateDir: string, file: string, config: Config): Promise<ConfigStore> {
  return ConfigStore.open(stateDir, { config, user: 'local', comment: `cix run ${file}` });
}

export interface RunningServices {
  close(): Promise<void>;
}

export async function startServices(
  store: ConfigStore,
  supervisor: Supervisor,
  opts: ServiceOptions,
  log: (line: string) => void,
): Promise<RunningServices> {
  const txn = new TransactionManager(store, supervisor, {
    onError: (err) => log(`transactions: ${err.message}`),
  });
  let mgmt: ManagementServer | undefined;
  let metrics: MetricsServer | undefined;
  const close = async (): Promise<void> => {
    await metrics?.close();
    await mgmt?.close();
    await txn.close();
  };
  try {
    // Re-arms (or runs at once) the automatic rollback of a commit-confirmed left pending.
    await txn.start();
    if (opts.mgmt !== undefined) {
      const tokens = await TokenStore.open(opts.stateDir);
      mgmt = await startManagementServer({
        txn,
        store,
        view: supervisor,
        tokens,
        stateDir: opts.stateDir,
        listen: opts.mgmt,
        tls: opts.tls,
        allowedOrigins: opts.allowedOrigins,
      });
      log(`management: ${mgmt.url}`);
      if (tokens.bootstrapTokenFile !== undefined) log(`management: first start: admin token written to ${tokens.bootstrapTokenFile}`);
    }
    if (opts.metrics !== undefined) {
      metrics = await startMetricsServer({ listen: opts.metrics, view: supervisor, onError: (err) => log(`metrics: ${String(err)}`) });
      log(`metrics: ${metrics.url}`);
    }
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { close };
}
