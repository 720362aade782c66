/**
 * Rates between two counter samples of `watch`: packets/s and bit/s per port
 * and attachment, drops/s. Computed from the server's timestamps (not the
 * client's clock), and unknown ("-") where the two samples cannot be
 * compared: the first sample, a baseline reset in between (clear counters),
 * an object that is new, or a counter that went down.
 */
import type { AttachmentStatus, Counters, CountersSample, PortStatus } from '../../mgmt/generated';
import { dropSum } from './render-state';

export interface ObjectRates {
  rxPps: number | undefined;
  rxBps: number | undefined;
  txPps: number | undefined;
  txBps: number | undefined;
  dropsPs: number | undefined;
}

export interface SampleRates {
  /** Seconds between the two samples; undefined for the first. */
  seconds: number | undefined;
  ports: Map<string, ObjectRates>;
  attachments: Map<string, ObjectRates>;
  /** Sums over ports. */
  total: ObjectRates;
}

const UNKNOWN: ObjectRates = { rxPps: undefined, rxBps: undefined, txPps: undefined, txBps: undefined, dropsPs: undefined };

function perSecond(now: bigint, before: bigint, seconds: number, scale = 1): number | undefined {
  return now >= before ? (Number(now - before) * scale) / seconds : undefined;
}

function ratesOf(now: Counters | undefined, before: Counters | undefined, seconds: number | undefined): ObjectRates {
  if (!now || !before || seconds === undefined) return UNKNOWN;
  return {
    rxPps: perSecond(now.rxPackets, before.rxPackets, seconds),
    rxBps: perSecond(now.rxBytes, before.rxBytes, seconds, 8),
    txPps: perSecond(now.txPackets, before.txPackets, seconds),
    txBps: perSecond(now.txBytes, before.txBytes, seconds, 8),
    dropsPs: perSecond(dropSum(now), dropSum(before), seconds),
  };
}

function byName<T extends PortStatus | AttachmentStatus>(list: T[]): Map<string, T> {
  return new Map(list.map((o) => [o.name, o]));
}

function add(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

export function computeRates(now: CountersSample, before: CountersSample | undefined): SampleRates {
  const comparable = before !== undefined && before.baselineAt === now.baselineAt && now.at > before.at;
  const seconds = comparable ? Number(now.at - before.at) / 1000 : undefined;
  const oldPorts = byName(before?.ports ?? []);
  const oldAttachments = byName(before?.attachments ?? []);
  const ports = new Map<string, ObjectRates>();
  const attachments = new Map<string, ObjectRates>();
  let total: ObjectRates = { rxPps: 0, rxBps: 0, txPps: 0, txBps: 0, dropsPs: 0 };
  for (const p of now.ports) {
    const r = ratesOf(p.counters, oldPorts.get(p.name)?.counters, seconds);
    ports.set(p.name, r);
    total = {
      rxPps: add(total.rxPps, r.rxPps),
      rxBps: add(total.rxBps, r.rxBps),
      txPps: add(total.txPps, r.txPps),
      txBps: add(total.txBps, r.txBps),
      dropsPs: add(total.dropsPs, r.dropsPs),
    };
  }
  if (seconds === undefined) total = UNKNOWN;
  for (const a of now.attachments) attachments.set(a.name, ratesOf(a.counters, oldAttachments.get(a.name)?.counters, seconds));
  return { seconds, ports, attachments, total };
}
