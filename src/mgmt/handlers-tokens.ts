/**
 * Requests about tokens (admin only). The secret of a new token is in the
 * token_create reply and nowhere else: not in the log, not in any list.
 */
import { RequestError } from './errors';
import type { TokenInfo as WireTokenInfo } from './generated';
import type { Handlers } from './handler-types';
import { roleFromWire, roleToWire } from './roles';
import type { TokenInfo } from './tokens';
import type { AuditToken } from './txn-types';

type TokenHandlers = Pick<Handlers, 'tokenCreate' | 'tokenRevoke' | 'tokenList'>;

function tokenToWire(t: TokenInfo): WireTokenInfo {
  return { id: t.id, user: t.user, role: roleToWire(t.role), createdAt: BigInt(t.created), expiresAt: BigInt(t.expires ?? 0) };
}

function auditToken(t: TokenInfo): AuditToken {
  return t.expires === undefined ? { id: t.id, user: t.user, role: t.role } : { id: t.id, user: t.user, role: t.role, expires: t.expires };
}

export const tokenHandlers: TokenHandlers = {
  tokenCreate: async (ctx, b) => {
    const role = roleFromWire(b.role);
    if (!role) throw new RequestError('BAD_REQUEST', 'role: viewer, operator or admin required', [{ path: 'role', message: 'required' }]);
    const { token, info } = await ctx.services.tokens.create({ user: b.user, role, ttlSeconds: b.ttlSeconds });
    const by = ctx.identity.principal;
    ctx.services.log('info', `token ${info.id} created for ${info.user} (${info.role}) by ${by.user} from ${by.remote}`);
    await ctx.services.txn.recordAccess(by, 'token-create', auditToken(info));
    return { token, info: tokenToWire(info) };
  },
  tokenRevoke: async (ctx, b) => {
    // The id is echoed only when it looks like one: pasted by mistake, a token's secret must not come back.
    const shown = /^[0-9a-f]{12}$/.test(b.id) ? b.id : '(not a token id)';
    const revoked = ctx.services.tokens.list().find((t) => t.id === b.id);
    if (!(await ctx.services.tokens.revoke(b.id))) throw new RequestError('NOT_FOUND', `no token ${shown}`);
    const by = ctx.identity.principal;
    ctx.services.log('info', `token ${b.id} revoked by ${by.user} from ${by.remote}`);
    ctx.services.dropToken(b.id);
    if (revoked) await ctx.services.txn.recordAccess(by, 'token-revoke', auditToken(revoked));
    return {};
  },
  tokenList: (ctx) => ({ tokens: ctx.services.tokens.list().map(tokenToWire) }),
};
