/**
 * Who is connecting: decided at the HTTP upgrade, before a WebSocket exists.
 * A request with `Authorization: Bearer <token>` is the token's user and
 * role; one without is its client certificate's subject CN, with the role
 * clients.json gives it. Everything else is refused with an HTTP status:
 * 401 (no credentials, a wrong or expired token, an untrusted certificate),
 * 403 (a browser origin not allowed, a certificate CN without a role).
 */
import type { IncomingMessage } from 'http';
import type { TLSSocket } from 'tls';

import type { CertificateRoles } from './cert-roles';
import type { Principal } from './txn-types';
import type { TokenStore } from './tokens';

export type AuthMethod = 'token' | 'certificate';

export interface Identity {
  principal: Principal;
  method: AuthMethod;
  /** The token's id when method is 'token'. */
  tokenId: string | undefined;
}

export type UpgradeVerdict =
  | { ok: true; identity: Identity }
  | { ok: false; status: 400 | 401 | 403; reason: string };

export interface AuthContext {
  tokens: TokenStore;
  certRoles: CertificateRoles;
  /** Origins (scheme://host[:port]) a browser may connect from; no Origin header (a CLI) is always allowed. */
  allowedOrigins: readonly string[];
  subprotocol: string;
}

/** "127.0.0.1:53122", "[::1]:53122". */
export function remoteOf(req: IncomingMessage): string {
  const addr = req.socket.remoteAddress ?? 'unknown';
  const port = req.socket.remotePort ?? 0;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function refuse(status: 400 | 401 | 403, reason: string): UpgradeVerdict {
  return { ok: false, status, reason };
}

export async function authenticateUpgrade(req: IncomingMessage, ctx: AuthContext): Promise<UpgradeVerdict> {
  const origin = req.headers.origin;
  if (origin !== undefined && !ctx.allowedOrigins.includes(origin)) return refuse(403, 'origin not allowed');

  const offered = req.headers['sec-websocket-protocol'];
  if (offered !== undefined && !offered.split(',').some((p) => p.trim() === ctx.subprotocol)) {
    return refuse(400, `subprotocol ${ctx.subprotocol} required`);
  }

  const remote = remoteOf(req);
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!m) return refuse(401, 'malformed Authorization header (Bearer <token> expected)');
    const token = ctx.tokens.authenticate(m[1]!);
    if (!token) return refuse(401, 'unknown or expired token');
    return {
      ok: true,
      identity: { principal: { user: token.user, role: token.role, remote }, method: 'token', tokenId: token.id },
    };
  }

  const tls = req.socket as Partial<TLSSocket>;
  const cert = typeof tls.getPeerCertificate === 'function' ? tls.getPeerCertificate() : undefined;
  if (cert && Object.keys(cert).length > 0) {
    if (!tls.authorized) return refuse(401, 'client certificate not trusted');
    const cn = cert.subject?.CN;
    if (typeof cn !== 'string' || cn === '') return refuse(403, 'client certificate has no subject CN');
    let role;
    try {
      role = await ctx.certRoles.roleOf(cn);
    } catch {
      return refuse(403, 'clients.json is malformed');
    }
    if (!role) return refuse(403, `certificate CN "${cn}" has no role`);
    return { ok: true, identity: { principal: { user: cn, role, remote }, method: 'certificate', tokenId: undefined } };
  }
  return refuse(401, 'no credentials (bearer token or client certificate)');
}
