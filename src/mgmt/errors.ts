/**
 * Errors of the management channel, each a class with a stable `code`.
 *
 * - RequestError: a request is refused; the server turns it into an error
 *   reply (its code is the wire ErrorCode).
 * - RemoteError: the client's view of such a reply.
 * - ClientError: the client could not talk to the server at all.
 * - CodecError, MgmtSetupError, TokenStoreError: local failures.
 */
import type { ErrorCode, Issue } from './generated';

/** A frame that is not a message of proto/management.proto. */
export class CodecError extends Error {
  readonly code = 'MGMT_MALFORMED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecError';
  }
}

/** The wire error codes without their `ERROR_CODE_` prefix: 'VALIDATION', 'PERMISSION_DENIED', ... */
export type RemoteErrorCode = ErrorCode extends `ERROR_CODE_${infer C}` ? C : never;

/** Thrown by request handlers; sent to the client as Response.error. */
export class RequestError extends Error {
  readonly code: RemoteErrorCode;
  readonly issues: Issue[];
  constructor(code: RemoteErrorCode, message: string, issues: Issue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RequestError';
    this.code = code;
    this.issues = issues;
  }
}

/** The server answered a request with an error. */
export class RemoteError extends Error {
  readonly code: RemoteErrorCode;
  readonly issues: Issue[];
  /** The request kind that was refused ('commit', 'set', ...). */
  readonly request: string;
  constructor(code: RemoteErrorCode, message: string, issues: Issue[], request: string) {
    super(message);
    this.name = 'RemoteError';
    this.code = code;
    this.issues = issues;
    this.request = request;
  }
}

export type ClientErrorCode =
  /** No connection could be made (refused, DNS, TLS handshake, timeout). */
  | 'MGMT_CONNECT'
  /** HTTP 401 at the upgrade: no token, a wrong or expired one, an untrusted certificate. */
  | 'MGMT_UNAUTHORIZED'
  /** HTTP 403 at the upgrade: origin not allowed, certificate name without a role. */
  | 'MGMT_FORBIDDEN'
  /** Any other HTTP answer instead of the upgrade. */
  | 'MGMT_HTTP'
  /** No reply within the request timeout. */
  | 'MGMT_TIMEOUT'
  /** The connection closed (closeCode and closeReason say why). */
  | 'MGMT_CLOSED'
  /** The server sent something that is not a ServerMessage, or a reply of the wrong kind. */
  | 'MGMT_PROTOCOL'
  /** A token file named explicitly cannot be read, or holds no token. */
  | 'MGMT_TOKEN_FILE';

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  /** HTTP status for MGMT_UNAUTHORIZED / MGMT_FORBIDDEN / MGMT_HTTP. */
  readonly status: number | undefined;
  /** WebSocket close code for MGMT_CLOSED. */
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  constructor(
    code: ClientErrorCode,
    message: string,
    opts: { status?: number; closeCode?: number; closeReason?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'ClientError';
    this.code = code;
    this.status = opts.status;
    this.closeCode = opts.closeCode;
    this.closeReason = opts.closeReason;
  }
}

export type MgmtSetupErrorCode =
  /** A listen option or limit is out of range. */
  | 'MGMT_OPTIONS'
  /** A non-loopback address without TLS (tokens would cross the network in clear). */
  | 'MGMT_INSECURE'
  /** Certificate, key or CA file unreadable or unusable. */
  | 'MGMT_TLS'
  /** The server could not listen (address in use, no permission). */
  | 'MGMT_LISTEN';

export class MgmtSetupError extends Error {
  readonly code: MgmtSetupErrorCode;
  constructor(code: MgmtSetupErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MgmtSetupError';
    this.code = code;
  }
}

export type TokenStoreErrorCode =
  /** tokens.json or clients.json is unreadable or malformed; nothing is guessed. */
  | 'MGMT_TOKENS_FILE'
  /** A token request is invalid (user name, role, ttl). */
  | 'MGMT_TOKEN_INVALID';

export class TokenStoreError extends Error {
  readonly code: TokenStoreErrorCode;
  constructor(code: TokenStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenStoreError';
    this.code = code;
  }
}
