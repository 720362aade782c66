#!/usr/bin/env node
/*
 * Writes src/config/generated.ts: TypeScript types of the proto3 JSON mapping
 * of proto/cix.proto, so that the schema stays the one source of truth; and
 * src/mgmt/generated.ts, the types of proto/management.proto as the
 * management codec (src/mgmt/codec.ts) hands them over (see TARGETS).
 *
 *   node scripts/gen-proto-types.js           write the files
 *   node scripts/gen-proto-types.js --check   exit 1 if a file is stale
 *
 * The types describe the checked form that src/config/schema.ts returns:
 * lowerCamelCase names, enums by name, fields without presence always set
 * (proto3 zero when the file leaves them out, as protoc's JSON printer does
 * with always_print_fields_with_no_presence), fields with presence
 * (`optional`, messages, oneof members) marked `?`.
 *
 * Output depends only on the .proto text: declaration order, '\n' line ends,
 * no timestamps, so the committed file can be compared with a fresh one.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const ROOT = path.resolve(__dirname, '..');
const PROTO_REL = 'proto/cix.proto';
const OUT_REL = 'src/config/generated.ts';

/*
 * One generated file per schema. `longs`: the TypeScript type of 64-bit
 * integers (the JSON mapping's decimal strings for the configuration file;
 * bigint for management, whose codec decodes with protobufjs `longs: BigInt`).
 * `about`: the header lines after the first, saying which form the types are.
 */
const TARGETS = [
  {
    proto: PROTO_REL,
    out: OUT_REL,
    longs: 'string',
    about: (pkg) => [
      `// Types of the proto3 JSON mapping of package ${pkg}, in the checked form`,
      '// src/config/schema.ts returns: lowerCamelCase names, enums by name, fields',
      '// without presence always set (zero when the file leaves them out), fields',
      '// with presence (`optional`, messages, oneof members) marked `?`.',
    ],
  },
  {
    proto: 'proto/management.proto',
    out: 'src/mgmt/generated.ts',
    longs: 'bigint',
    about: (pkg) => [
      `// Types of the messages of package ${pkg} as src/mgmt/codec.ts decodes and`,
      '// encodes them: lowerCamelCase names, enums by name, 64-bit integers as',
      '// bigint, fields without presence always set (zero when absent on the',
      '// wire), fields with presence (messages, oneof members) marked `?`.',
    ],
  },
];

// proto3 JSON mapping of scalar types. 64-bit integers are strings in JSON
// (they do not fit a double); bytes are base64 strings.
const SCALAR_TS = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'string',
  uint64: 'string',
  sint64: 'string',
  fixed64: 'string',
  sfixed64: 'string',
  bool: 'boolean',
  string: 'string',
  bytes: 'string',
};

function loadRoot(protoPath) {
  const source = fs.readFileSync(protoPath, 'utf8');
  // The schema documents itself with `//` comments; alternate mode keeps them.
  const { root } = protobuf.parse(source, { alternateCommentMode: true });
  root.resolveAll();
  return root;
}

function docLines(comment, extra) {
  const lines = [];
  if (comment) lines.push(...comment.split('\n'));
  if (extra) lines.push(...extra);
  // A comment must never close the doc block it is written into.
  return lines.map((l) => l.replace(/\*\//g, '*\\/').replace(/\s+$/, ''));
}

function writeDoc(out, indent, comment, extra) {
  const lines = docLines(comment, extra);
  if (lines.length === 0) return;
  if (lines.length === 1) {
    out.push(`${indent}/** ${lines[0]} */`);
    return;
  }
  out.push(`${indent}/**`);
  for (const l of lines) out.push(l ? `${indent} * ${l}` : `${indent} *`);
  out.push(`${indent} */`);
}

// TypeScript name of a reflected type: nested types join with '_'.
function tsName(obj, pkg) {
  const full = obj.fullName.replace(/^\./, '');
  const local = full.startsWith(pkg + '.') ? full.slice(pkg.length + 1) : full;
  return local.split('.').join('_');
}

const LONG_TYPES = ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'];

function fieldType(field, pkg, longs) {
  let t;
  if (field.resolvedType) t = tsName(field.resolvedType, pkg);
  else if (LONG_TYPES.includes(field.type)) t = longs;
  else if (Object.prototype.hasOwnProperty.call(SCALAR_TS, field.type)) t = SCALAR_TS[field.type];
  else throw new Error(`${field.fullName}: no TypeScript mapping for type ${field.type}`);
  if (field.map) {
    const k = SCALAR_TS[field.keyType] === 'number' ? 'number' : 'string';
    return `{ [key: ${k}]: ${t} }`;
  }
  return field.repeated ? `${t}[]` : t;
}

function hasPresence(field) {
  if (field.repeated || field.map) return false;
  return Boolean(field.partOf) || field.resolvedType instanceof protobuf.Type;
}

function emitEnum(out, e, pkg) {
  writeDoc(out, '', e.comment);
  const names = Object.keys(e.values);
  out.push(`export type ${tsName(e, pkg)} =`);
  names.forEach((n, i) => {
    out.push(`  | '${n}'${i === names.length - 1 ? ';' : ''}`);
  });
  out.push('');
}

function emitMessage(out, type, pkg, longs) {
  writeDoc(out, '', type.comment);
  out.push(`export interface ${tsName(type, pkg)} {`);
  for (const field of type.fieldsArray) {
    const extra = [];
    const oneof = field.partOf;
    if (oneof && !oneof.isProto3Optional) {
      extra.push(`Member of oneof \`${oneof.name}\` (${oneof.oneof.join(', ')}): exactly one is set.`);
    }
    writeDoc(out, '  ', field.comment, extra.length && field.comment ? ['', ...extra] : extra);
    const opt = hasPresence(field) ? '?' : '';
    out.push(`  ${field.name}${opt}: ${fieldType(field, pkg, longs)};`);
  }
  out.push('}');
  out.push('');
}

function walk(ns, visit) {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type || obj instanceof protobuf.Enum) visit(obj);
    if (obj instanceof protobuf.Namespace && obj.nestedArray) walk(obj, visit);
  }
}

/** The text of one target's generated file (of target.proto unless protoPath is given). */
function generateTarget(target, protoPath = path.join(ROOT, target.proto)) {
  const root = loadRoot(protoPath);
  const packages = [];
  walk(root, (obj) => {
    const pkg = obj.parent.fullName.replace(/^\./, '');
    if (!packages.includes(pkg) && !(obj.parent instanceof protobuf.Type)) packages.push(pkg);
  });
  if (packages.length !== 1) throw new Error(`expected one package in ${target.proto}, got ${packages.join(', ')}`);
  const pkg = packages[0];

  const out = [
    `// generated by scripts/gen-proto-types.js from ${target.proto} — do not edit`,
    '//',
    ...target.about(pkg),
    '',
  ];
  walk(root, (obj) => {
    if (obj instanceof protobuf.Enum) emitEnum(out, obj, pkg);
    else emitMessage(out, obj, pkg, target.longs);
  });
  while (out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}

/** The text of src/config/generated.ts for the given .proto file. */
function generate(protoPath = path.join(ROOT, PROTO_REL)) {
  return generateTarget(TARGETS[0], protoPath);
}

function main(argv) {
  let status = 0;
  for (const target of TARGETS) {
    const outPath = path.join(ROOT, target.out);
    const text = generateTarget(target);
    if (argv.includes('--check')) {
      const current = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : '';
      if (current !== text) {
        process.stderr.write(`${target.out} is stale: run node scripts/gen-proto-types.js\n`);
        status = 1;
      }
      continue;
    }
    // Rewrite only on change, so tools watching mtimes do not rebuild for nothing.
    if (!fs.existsSync(outPath) || fs.readFileSync(outPath, 'utf8') !== text) {
      fs.mkdirSync(path.dirname(outPath), { recursive: true });
      fs.writeFileSync(outPath, text);
    }
  }
  return status;
}

module.exports = { generate, generateTarget, TARGETS, PROTO_REL, OUT_REL };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
