/**
 * Bytes <-> typed messages of proto/management.proto. One WebSocket message
 * is one ClientMessage or ServerMessage; this is the only place that touches
 * protobufjs, so the rest of src/mgmt sees the generated types only.
 *
 * Decoding gives the form src/mgmt/generated.ts describes: 64-bit integers as
 * bigint, enums by name, fields without presence set to their zero value,
 * unset messages absent. An enum value this side does not know (sent by a
 * newer peer) reads as the enum's zero name (`..._UNSPECIFIED`), so that a
 * string union never holds a number.
 */
import * as protobuf from 'protobufjs';

import { CodecError } from './errors';
import type { ClientMessage, ServerMessage } from './generated';
import { mgmtType } from './schema';

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: BigInt,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
};

/** How to finish one field of a toObject() result. */
interface FieldPlan {
  name: string;
  /** Set for enum fields: the known names, and the name of value 0. */
  enumNames?: Set<string>;
  enumZero?: string;
  /** Set for message fields: the message type to recurse into. */
  message?: protobuf.Type;
  repeated: boolean;
  map: boolean;
}

const plans = new Map<protobuf.Type, FieldPlan[]>();

function planOf(type: protobuf.Type): FieldPlan[] {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = [];
  for (const field of type.fieldsArray) {
    const resolved = field.resolve().resolvedType;
    const entry: FieldPlan = { name: field.name, repeated: field.repeated, map: field.map };
    if (resolved instanceof protobuf.Enum) {
      entry.enumNames = new Set(Object.keys(resolved.values));
      entry.enumZero = resolved.valuesById[0];
    } else if (resolved instanceof protobuf.Type) {
      entry.message = resolved;
    } else {
      continue; // scalars come out of toObject as they should be
    }
    plan.push(entry);
  }
  plans.set(type, plan);
  return plan;
}

function finishValue(f: FieldPlan, v: unknown): unknown {
  if (f.enumNames) return typeof v === 'string' && f.enumNames.has(v) ? v : f.enumZero;
  if (f.message && typeof v === 'object' && v !== null) finishObject(f.message, v as Record<string, unknown>);
  return v;
}

/** toObject() leaves unset messages as null and unknown enum values as numbers; fix both in place. */
function finishObject(type: protobuf.Type, obj: Record<string, unknown>): void {
  for (const f of planOf(type)) {
    const v = obj[f.name];
    if (v === null) {
      delete obj[f.name];
    } else if (v === undefined) {
      continue;
    } else if (f.repeated && Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = finishValue(f, v[i]);
    } else if (f.map && typeof v === 'object') {
      const m = v as Record<string, unknown>;
      for (const k of Object.keys(m)) m[k] = finishValue(f, m[k]);
    } else {
      obj[f.name] = finishValue(f, v);
    }
  }
}

function decodeAs<T>(typeName: string, bytes: Uint8Array): T {
  const type = mgmtType(typeName);
  let msg: protobuf.Message;
  try {
    msg = type.decode(bytes);
  } catch (err: unknown) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CodecError(`not a ${typeName}: ${reason}`, { cause: err });
  }
  const obj = type.toObject(msg, TO_OBJECT);
  finishObject(type, obj);
  return obj as T;
}

function encodeAs(typeName: string, value: object): Uint8Array {
  const type = mgmtType(typeName);
  return type.encode(type.fromObject(value)).finish();
}

export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  return decodeAs<ClientMessage>('ClientMessage', bytes);
}

export function encodeClientMessage(msg: ClientMessage): Uint8Array {
  return encodeAs('ClientMessage', msg);
}

export function decodeServerMessage(bytes: Uint8Array): ServerMessage {
  return decodeAs<ServerMessage>('ServerMessage', bytes);
}

export function encodeServerMessage(msg: ServerMessage): Uint8Array {
  return encodeAs('ServerMessage', msg);
}

/** Encodes one message of the named type alone (a push body, to be wrapped per subscriber). */
export function encodeMessage(typeName: 'CountersSample' | 'Event', value: object): Uint8Array {
  return encodeAs(typeName, value);
}

/** Field numbers of the push envelope, read from the schema once. */
let pushTags: { push: number; subscriptionId: number; skipped: number; counters: number; event: number } | undefined;

function lengthDelimited(fieldId: number): number {
  return ((fieldId << 3) | 2) >>> 0;
}

function varintTag(fieldId: number): number {
  return (fieldId << 3) >>> 0;
}

/**
 * ServerMessage{push: Push{subscription_id, skipped, <body>: <bodyBytes>}}
 * around a body encoded once: a sample or event goes to many subscribers,
 * and only these few envelope bytes differ between them. Decodes exactly as
 * encodeServerMessage() of the same push would (tested).
 */
export function encodePush(subscriptionId: number, skipped: number, body: 'counters' | 'event', bodyBytes: Uint8Array): Uint8Array {
  if (!pushTags) {
    const push = mgmtType('Push');
    pushTags = {
      push: mgmtType('ServerMessage').fields['push']!.id,
      subscriptionId: push.fields['subscriptionId']!.id,
      skipped: push.fields['skipped']!.id,
      counters: push.fields['counters']!.id,
      event: push.fields['event']!.id,
    };
  }
  const w = protobuf.Writer.create();
  w.uint32(lengthDelimited(pushTags.push)).fork();
  if (subscriptionId !== 0) w.uint32(varintTag(pushTags.subscriptionId)).uint32(subscriptionId);
  if (skipped !== 0) w.uint32(varintTag(pushTags.skipped)).uint32(skipped);
  w.uint32(lengthDelimited(pushTags[body])).bytes(bodyBytes);
  w.ldelim();
  return w.finish();
}
