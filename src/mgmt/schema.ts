/**
 * Loads proto/management.proto for reflection (parsed once per process), the
 * same way src/config/proto.ts loads the configuration schema.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

import { findProjectRoot } from '../config/proto';

export const MGMT_PROTO_REL = path.join('proto', 'management.proto');
const PACKAGE = 'cix.v1';

let cached: protobuf.Root | undefined;

export function managementRoot(): protobuf.Root {
  if (!cached) {
    const source = fs.readFileSync(path.join(findProjectRoot(), MGMT_PROTO_REL), 'utf8');
    // Same options as scripts/gen-proto-types.js, so names match generated.ts.
    const { root } = protobuf.parse(source, { alternateCommentMode: true });
    root.resolveAll();
    cached = root;
  }
  return cached;
}

export function mgmtType(name: string): protobuf.Type {
  return managementRoot().lookupType(`${PACKAGE}.${name}`);
}

export function mgmtEnum(name: string): protobuf.Enum {
  return managementRoot().lookupEnum(`${PACKAGE}.${name}`);
}
