/**
 * The management channel: protocol (proto/management.proto), server, client
 * library, tokens. What other modules and `cix run` / `cix ctl` use.
 */
export { startManagementServer } from './server';
export type { ManagementServer, ManagementServerOptions, ServerStats } from './server';
export { DEFAULT_LIMITS, type LimitOptions, type ServerLimits, type TlsFiles } from './server-options';
export { ManagementClient, DEFAULT_URL, SHOW_TOPICS, roleName } from './client';
export type { ClientOptions, ClientTlsOptions, ShowTopic, Subscription, ReplyBody, RequestBody, RequestKind } from './client';
export { loadToken, type TokenSources } from './credentials';
export { TokenStore, TOKEN_PREFIX, MAX_TOKEN_TTL_SECONDS, type TokenInfo, type CreatedToken } from './tokens';
export { REQUIRED_ROLE, ROLES, mayRequest, isRole, type Role } from './roles';
export { ClientError, RemoteError, RequestError, CodecError, MgmtSetupError, TokenStoreError } from './errors';
export type { ClientErrorCode, RemoteErrorCode, MgmtSetupErrorCode, TokenStoreErrorCode } from './errors';
export { CLOSE } from './connection';
export { SUBPROTOCOL, DEFAULT_HOST, DEFAULT_PORT } from './protocol';
export { TOKENS_FILE, ADMIN_TOKEN_FILE, CLIENTS_FILE, BASELINE_FILE, adminTokenPath } from './paths';
export { stderrLog, type MgmtLog, type MgmtLogLevel } from './log';
export type { Transactions, Revisions, CandidateSession } from './txn-types';
export type * as wire from './generated';
