/**
 * `watch`: a counters subscription printed as it arrives, with rates
 * between consecutive samples. Ends after --count samples, on Ctrl-C, or
 * when the connection closes (an error).
 */
import type { ManagementClient } from '../../mgmt/client';
import type { CountersSample } from '../../mgmt/generated';
import { toJson } from './format';
import type { CtlIo } from './io';
import { computeRates } from './rates';
import { renderWatchLine, renderWatchTable, watchJson, watchLineHeader } from './render-watch';

export interface WatchOptions {
  intervalMs: number;
  count: number | undefined;
  json: boolean;
}

export async function watchCounters(client: ManagementClient, io: CtlIo, opts: WatchOptions): Promise<void> {
  let previous: CountersSample | undefined;
  let shown = 0;
  let drawnLines = 0;
  let finish: () => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const draw = (sample: CountersSample): void => {
    if (opts.count !== undefined && shown >= opts.count) return;
    shown++;
    const rates = computeRates(sample, previous);
    previous = sample;
    if (opts.json) {
      io.out(`${toJson(watchJson(sample, rates), false)}\n`);
    } else if (io.isTTY) {
      const frame = renderWatchTable(sample, rates, shown, opts.count, opts.intervalMs);
      // Back to the top of the previous frame and clear below: redrawn in place, scrollback kept.
      const up = drawnLines > 0 ? `\x1b[${drawnLines}A\r\x1b[J` : '';
      io.out(`${up}${frame}\n`);
      drawnLines = frame.split('\n').length;
    } else {
      if (shown === 1) io.out(`${watchLineHeader()}\n`);
      io.out(`${renderWatchLine(sample, rates)}\n`);
    }
    if (opts.count !== undefined && shown >= opts.count) finish();
  };

  const stopInterrupt = io.onInterrupt(() => finish());
  const stopClose = client.onClose((err) => fail(err));
  try {
    const sub = await client.subscribeCounters({ intervalMs: opts.intervalMs }, (sample) => draw(sample));
    try {
      await done;
    } finally {
      if (!client.closed) await sub.close();
    }
  } finally {
    stopInterrupt();
    stopClose();
  }
}
