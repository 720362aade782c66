/**
 * The shape of request handlers: one function per request kind, taking the
 * request's member and returning the response's member of the same name.
 */
import type { RequestContext } from './context';
import type { ReplyBody, RequestBody, RequestKind } from './protocol';

export type Handler<K extends RequestKind> = (ctx: RequestContext, body: RequestBody<K>) => ReplyBody<K> | Promise<ReplyBody<K>>;

export type Handlers = { [K in RequestKind]: Handler<K> };
