/** Scraping a metrics server and reading its output with the independent Python parser. */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';

import { PYTHON, ROOT } from '../helpers/cli';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  /** The parser's float as Python repr (e.g. "1.152921504606847e+18"). */
  value: string;
}
export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

/**
 * Parses an exposition with python3-prometheus-client; rejects with its
 * message when it refuses. Asynchronous: the exporter under test runs in this
 * process and must keep answering while Python parses.
 */
export function parseExposition(text: string): Promise<ParsedFamily[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path.join(ROOT, 'test/metrics/parse_exposition.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      if (status !== 0) reject(new Error(`prometheus_client refused the exposition (exit ${status}): ${stderr}`));
      else resolve(JSON.parse(stdout) as ParsedFamily[]);
    });
    child.stdin.end(text);
  });
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request on a fresh connection (no keep-alive): the server runs in the
 * test's own process, and a parse with spawnSync stalls both sides, so a
 * pooled connection could be closed by the server's idle timer just as the
 * client reuses it (ECONNRESET that says nothing about the exporter).
 */
export function get(url: string, method = 'GET'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
    req.on('error', (err) => reject(new Error(`${method} ${url}: ${err.message}`, { cause: err })));
    req.end();
  });
}

/** Every sample of a parse as "name{labels}" -> value. */
export function sampleMap(families: ParsedFamily[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of families) {
    for (const s of f.samples) out.set(sampleKey(s.name, s.labels), Number(s.value));
  }
  return out;
}

export function sampleKey(name: string, labels: Record<string, string>): string {
  const l = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${name}{${l}}`;
}
