/**
 * Loads proto/cix.proto for reflection. The file is found by walking up from
 * this module, so the same code works from src/ (ts-node, tests) and from
 * dist/src/ (compiled), and keeps working if the output layout changes.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

export const PROTO_REL = path.join('proto', 'cix.proto');
export const PROTO_PACKAGE = 'cix.v1';

/** The repository (or package) root: the nearest ancestor holding proto/cix.proto. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, PROTO_REL))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find ${PROTO_REL} above ${start}`);
    dir = up;
  }
}

export function protoPath(): string {
  return path.join(findProjectRoot(), PROTO_REL);
}

let cached: protobuf.Root | undefined;

/** The parsed, resolved schema (parsed once per process). */
export function schemaRoot(): protobuf.Root {
  if (!cached) {
    const source = fs.readFileSync(protoPath(), 'utf8');
    // Same options as scripts/gen-proto-types.js: `//` comments are the docs.
    const { root } = protobuf.parse(source, { alternateCommentMode: true });
    root.resolveAll();
    cached = root;
  }
  return cached;
}

export function messageType(name: string): protobuf.Type {
  return schemaRoot().lookupType(`${PROTO_PACKAGE}.${name}`);
}
