/** What both ends of the management channel agree on: constants and the request/reply pairing. */
import type { Request, Response } from './generated';

/** The WebSocket subprotocol of this protocol version (proto/management.proto, "Versioning rule"). */
export const SUBPROTOCOL = 'cix.v1';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8442;

/** The member names of Request.kind: 'getRunning', 'commit', 'tokenCreate', ... */
export type RequestKind = Exclude<keyof Request, 'id'>;
export type RequestBody<K extends RequestKind> = NonNullable<Request[K]>;
/** Every request kind has a Response member of the same name (the schema's rule; this does not compile otherwise). */
export type ReplyBody<K extends RequestKind> = NonNullable<Response[K]>;
