/**
 * A WebSocket client by hand, for what a well-behaved library never sends:
 * broken frames, truncated frames, and a reader that stops reading. Frames
 * follow RFC 6455 section 5.2 (client frames masked).
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

export interface RawFrame {
  opcode: number;
  payload: Buffer;
}

/** One client frame. */
export function frame(opcode: number, payload: Buffer, opts: { fin?: boolean; mask?: boolean; rsv?: number; claimedLength?: number } = {}): Buffer {
  const fin = opts.fin ?? true;
  const masked = opts.mask ?? true;
  const len = opts.claimedLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, body]);
}

export interface RawConnection {
  socket: net.Socket;
  /** The HTTP status line and headers of the answer. */
  status: number;
  /** Frames received so far (when reading). */
  frames: RawFrame[];
  /** Resolves when the socket closes. */
  closed: Promise<void>;
  /** The close code the server sent, once it did. */
  closeCode(): number | undefined;
}

/** Upgrades by hand. `read: false` stops reading after the 101 (a client that never reads). */
export function rawConnect(url: string, headers: Record<string, string>, opts: { read?: boolean } = {}): Promise<RawConnection> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const frames: RawFrame[] = [];
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let status = 0;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    const conn: RawConnection = {
      socket,
      status: 0,
      frames,
      closed,
      closeCode: () => {
        const f = frames.find((x) => x.opcode === 8);
        return f && f.payload.length >= 2 ? f.payload.readUInt16BE(0) : undefined;
      },
    };
    socket.once('connect', () => {
      const lines = [
        `GET / HTTP/1.1`,
        `Host: ${u.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(/^HTTP\/1\.1 (\d+)/.exec(buf.subarray(0, end).toString())?.[1] ?? 0);
        conn.status = status;
        buf = buf.subarray(end + 4);
        upgraded = true;
        if (opts.read === false) socket.pause();
        resolve(conn);
      }
      // Server frames are not masked.
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        frames.push({ opcode: buf[0]! & 0x0f, payload: buf.subarray(off, off + len) });
        buf = buf.subarray(off + len);
      }
    });
    socket.once('close', () => {
      if (!upgraded) reject(new Error('closed before the upgrade answer'));
    });
  });
}
