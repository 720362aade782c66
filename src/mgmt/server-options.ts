/**
 * The server's options that need checking before anything starts: limits
 * (defaults in one place, every one positive), TLS files, and whether an
 * address is loopback.
 */
import { readFileSync } from 'fs';
import type * as https from 'https';
import * as net from 'net';

import type { ConnectionLimits } from './connection';
import { MgmtSetupError } from './errors';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limit';

export interface ServerLimits extends ConnectionLimits {
  /** Largest message accepted, in bytes (a bigger one closes the connection with 1009). */
  maxPayload: number;
  /** Connections open at once; more are refused with HTTP 503. */
  maxConnections: number;
  /** Ping interval; a peer that misses one ping is cut. */
  heartbeatMs: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  maxPayload: 8 * 1024 * 1024,
  maxConnections: 256,
  heartbeatMs: 30_000,
  maxInFlight: 64,
  maxSubscriptions: 16,
  sendSoftLimit: 1024 * 1024,
  sendHardLimit: 16 * 1024 * 1024,
  rate: DEFAULT_RATE_LIMITS,
};

export interface TlsFiles {
  /** PEM certificate chain of the server. */
  certFile: string;
  keyFile: string;
  /** PEM CA that client certificates must chain to; given = client certificates are asked for. */
  clientCaFile?: string;
}

/** What a caller may give: any subset, `rate` too. */
export type LimitOptions = Partial<Omit<ServerLimits, 'rate'>> & { rate?: Partial<RateLimits> };

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

/** The limits with defaults filled in; MGMT_OPTIONS naming the first that is not positive. */
export function resolveLimits(given: LimitOptions | undefined): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...given, rate: { ...DEFAULT_RATE_LIMITS, ...given?.rate } };
  const positive: Array<[string, number]> = [
    ['maxPayload', limits.maxPayload],
    ['maxConnections', limits.maxConnections],
    ['heartbeatMs', limits.heartbeatMs],
    ['maxInFlight', limits.maxInFlight],
    ['maxSubscriptions', limits.maxSubscriptions],
    ['sendSoftLimit', limits.sendSoftLimit],
    ['sendHardLimit', limits.sendHardLimit],
    ['rate.messagesPerSecond', limits.rate.messagesPerSecond],
    ['rate.burst', limits.rate.burst],
    ['rate.abuseBurst', limits.rate.abuseBurst],
    ['rate.abusePerSecond', limits.rate.abusePerSecond],
  ];
  for (const [name, v] of positive) {
    if (!Number.isFinite(v) || v <= 0) throw new MgmtSetupError('MGMT_OPTIONS', `limits.${name}: must be a positive number`);
  }
  if (limits.sendHardLimit <= limits.sendSoftLimit) throw new MgmtSetupError('MGMT_OPTIONS', 'limits.sendHardLimit: must be above sendSoftLimit');
  return limits;
}

export function readTls(tls: TlsFiles): https.ServerOptions {
  const read = (what: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err: unknown) {
      throw new MgmtSetupError('MGMT_TLS', `tls.${what}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  const opts: https.ServerOptions = { cert: read('certFile', tls.certFile), key: read('keyFile', tls.keyFile), minVersion: 'TLSv1.2' };
  if (tls.clientCaFile) {
    // Ask for a certificate but decide at the upgrade: an untrusted one gets
    // an HTTP 401 that says so, not a bare handshake failure, and a client
    // without one may still use a token.
    opts.ca = read('clientCaFile', tls.clientCaFile);
    opts.requestCert = true;
    opts.rejectUnauthorized = false;
  }
  return opts;
}
