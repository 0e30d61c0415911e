// Map keys and values <-> JSON, typed by BTF, the way `bpftool map dump` shows them.
// Pure: bytes in, bytes out, no Node imports.
//
// The JSON shapes (decodeValue produces them, encodeValue accepts them back):
//   integers       number; a value beyond Number.MAX_SAFE_INTEGER is a decimal string
//   _Bool          boolean
//   enums          the enumerator's name, or the number when no enumerator matches
//   pointers       "0x" + 16 hex digits
//   float/double   number; NaN and infinities as the strings "NaN", "Infinity", "-Infinity"
//   char arrays    a string, or a number array when the bytes are not text (see decodeCharArray)
//   (no BTF)       a section of C string literals: an array of its strings (decodeStringLiterals)
//   arrays         arrays
//   struct/union   objects by field name; members of anonymous struct/union members are
//                  merged into their parent, as C lets you name them
//   DATASEC        an object of its variables by name (how .bss/.data/.rodata show)

import { BtfError } from './btf.ts';
import type { Btf, BtfArray, BtfComposite, BtfDatasec, BtfEnum, BtfInt, BtfType } from './btf.ts';

export type Decoded = number | string | boolean | null | Decoded[] | { [field: string]: Decoded };

export type EncodeResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

export interface EncodeOptions {
  // What the root is called in errors: with 'key', a too-long string reads
  // `... but key is char[64]` and a nested error `... at key.slots[2]`.
  // Without it, paths start at the first field (`.slots[2]`).
  label?: string;
}

// A JSON description of a type, for rendering a form. Pointers are not followed.
export type TypeShape =
  | { kind: 'int'; name: string; size: number; signed: boolean; bits: number }
  | { kind: 'bool'; name: string; size: number }
  | { kind: 'float'; name: string; size: number }
  | { kind: 'enum'; name: string; size: number; signed: boolean; enumerators: { name: string; value: number | string }[] }
  | { kind: 'pointer'; name: string; size: number; target: string }
  // `text`: a char array, shown and entered as a string (it may also decode as a number array).
  | { kind: 'array'; name: string; size: number; length: number; text: boolean; elem: TypeShape }
  | { kind: 'struct' | 'union' | 'datasec'; name: string; size: number; fields: FieldShape[] }
  // void, a forward declaration, a function, or a type nested in itself: no value to show.
  | { kind: 'opaque'; name: string; reason: string };

export interface FieldShape {
  name: string;
  // Byte offset from the start of the outermost type described.
  offset: number;
  // Bitfields only: bit offset from the start of the outermost type, and width.
  bitOffset?: number;
  bits?: number;
  type: TypeShape;
}

// Deeper nesting than this can only come from malformed (self-containing) BTF.
const MAX_DEPTH = 64;
const CHAR_NAMES = new Set(['char', 'signed char', 'unsigned char']);
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', 'type_tag']);
const FIELD_LIST_MAX = 16;
const PREVIEW_MAX = 24;

// ---------------------------------------------------------------------------
// Fields of structs, unions and DATASECs, flattened once per type.

interface Field {
  name: string;
  type: number;
  // From the start of the type whose fields these are.
  bitOffset: number;
  // Bitfield width, 0 when not a bitfield (kind_flag encoding; see BtfInt.bits for the other).
  bitSize: number;
}

const fieldCache = new WeakMap<Btf, Map<number, readonly Field[]>>();

function fieldsOf(btf: Btf, t: BtfComposite | BtfDatasec, depth = 0): readonly Field[] {
  let perBtf = fieldCache.get(btf);
  if (!perBtf) {
    perBtf = new Map();
    fieldCache.set(btf, perBtf);
  }
  const cached = perBtf.get(t.id);
  if (cached) return cached;
  if (depth > MAX_DEPTH) throw new BtfError(`${btf.typeName(t.id)} nests too deeply`);

  const fields: Field[] = [];
  if (t.kind === 'datasec') {
    for (const v of t.vars) {
      const variable = btf.type(v.type);
      // .ksyms also lists extern functions, which hold no data.
      if (variable.kind === 'var') fields.push({ name: variable.name, type: variable.type, bitOffset: v.offset * 8, bitSize: 0 });
    }
  } else {
    for (const m of t.members) {
      if (m.name !== '') {
        fields.push({ name: m.name, type: m.type, bitOffset: m.bitOffset, bitSize: m.bitSize });
        continue;
      }
      // An anonymous struct/union's members are reached as if they were the parent's.
      // Any other unnamed member is padding (`int :3`) that C cannot name either.
      const inner = btf.resolve(m.type);
      if (inner.kind === 'struct' || inner.kind === 'union') {
        for (const f of fieldsOf(btf, inner, depth + 1)) fields.push({ ...f, bitOffset: f.bitOffset + m.bitOffset });
      }
    }
  }
  perBtf.set(t.id, fields);
  return fields;
}

// Skips const/volatile/restrict/type_tag but not typedefs: a `u8` is a number, a `char` a letter.
function isCharLike(btf: Btf, id: number): boolean {
  let t = btf.type(id);
  for (let i = 0; QUALIFIERS.has(t.kind) && i < MAX_DEPTH; i++) t = btf.type((t as { type: number }).type);
  return t.kind === 'int' && t.size === 1 && t.bits === 8 && t.bitOffset === 0 && !t.bool && (t.char || CHAR_NAMES.has(t.name));
}

function setField(obj: { [field: string]: Decoded }, name: string, value: Decoded): void {
  // A C field may be called __proto__; plain assignment would set the prototype instead.
  if (name === '__proto__') Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
  else obj[name] = value;
}

// ---------------------------------------------------------------------------
// Bits in little-endian memory: bit n is bit n % 8 of byte n / 8.

function readBits(bytes: Uint8Array, view: DataView, bit: number, width: number): bigint {
  if ((bit & 7) === 0) {
    const at = bit >>> 3;
    switch (width) {
      case 8:
        return BigInt(bytes[at]!);
      case 16:
        return BigInt(view.getUint16(at, true));
      case 32:
        return BigInt(view.getUint32(at, true));
      case 64:
        return view.getBigUint64(at, true);
    }
  }
  let v = 0n;
  const first = bit >>> 3;
  const last = (bit + width - 1) >>> 3;
  for (let i = last; i >= first; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return (v >> BigInt(bit & 7)) & ((1n << BigInt(width)) - 1n);
}

// `value` is already range-checked and given as the unsigned bit pattern.
function writeBits(bytes: Uint8Array, view: DataView, bit: number, width: number, value: bigint): void {
  if ((bit & 7) === 0) {
    const at = bit >>> 3;
    switch (width) {
      case 8:
        bytes[at] = Number(value);
        return;
      case 16:
        view.setUint16(at, Number(value), true);
        return;
      case 32:
        view.setUint32(at, Number(value), true);
        return;
      case 64:
        view.setBigUint64(at, value, true);
        return;
    }
  }
  // A bitfield shares its bytes with its neighbours: change only its own bits.
  const first = bit >>> 3;
  const last = (bit + width - 1) >>> 3;
  const shift = BigInt(bit & 7);
  const mask = ((1n << BigInt(width)) - 1n) << shift;
  let word = 0n;
  for (let i = last; i >= first; i--) word = (word << 8n) | BigInt(bytes[i]!);
  word = (word & ~mask) | ((value << shift) & mask);
  for (let i = first; i <= last; i++) {
    bytes[i] = Number(word & 0xffn);
    word >>= 8n;
  }
}

function intToJson(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function floatToJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function hexAddress(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

// ---------------------------------------------------------------------------
// Decoding

interface DecodeCtx {
  btf: Btf;
  bytes: Uint8Array;
  view: DataView;
}

/**
 * What a `struct bpf_spin_lock` field reads as. User space never sees the lock's
 * state (the kernel zeroes it in every copy it hands out), so it is named, not shown.
 */
export const SPIN_LOCK = 'bpf_spin_lock';

function isSpinLockType(t: BtfType): boolean {
  return t.kind === 'struct' && t.name === 'bpf_spin_lock';
}

/** Whether a map value of this type holds a bpf_spin_lock (the kernel allows one, at the top level): reads and writes then take it (BPF_F_LOCK). */
export function holdsSpinLock(btf: Btf, typeId: number): boolean {
  const t = btf.resolve(typeId);
  return t.kind === 'struct' && fieldsOf(btf, t).some((f) => isSpinLockType(btf.resolve(f.type)));
}

// Decodes the value of type `typeId` at byte `offset` of `bytes`. Throws BtfError when
// `bytes` is too short or the BTF is malformed: both are bugs in the caller, not user input.
// void, forward declarations and functions hold no data and decode as null.
export function decodeValue(btf: Btf, typeId: number, bytes: Uint8Array, offset = 0): Decoded {
  if (!hasData(btf.resolve(typeId))) return null;
  const size = btf.sizeOf(typeId);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > bytes.length) {
    throw new BtfError(`${btf.typeName(typeId)} needs ${size} bytes at offset ${offset}, but only ${bytes.length} bytes were given`);
  }
  const ctx: DecodeCtx = { btf, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  return decodeAt(ctx, typeId, offset * 8, 0, 0);
}

function hasData(t: BtfType): boolean {
  return t.kind !== 'void' && t.kind !== 'fwd' && t.kind !== 'func' && t.kind !== 'func_proto' && t.kind !== 'decl_tag';
}

function decodeAt(ctx: DecodeCtx, id: number, bit: number, bitSize: number, depth: number): Decoded {
  if (depth > MAX_DEPTH) throw new BtfError(`${ctx.btf.typeName(id)} nests too deeply`);
  const t = ctx.btf.resolve(id);
  switch (t.kind) {
    case 'int': {
      // Old-style bitfields (kind_flag unset) keep their width and shift in the int itself.
      const width = bitSize || t.bits;
      const raw = readBits(ctx.bytes, ctx.view, bitSize ? bit : bit + t.bitOffset, width);
      if (t.bool) return raw !== 0n;
      return intToJson(t.signed ? BigInt.asIntN(width, raw) : raw);
    }
    case 'enum':
    case 'enum64': {
      const width = bitSize || t.size * 8;
      const raw = readBits(ctx.bytes, ctx.view, bit, width);
      const match = t.values.find((e) => BigInt.asUintN(width, e.value) === raw);
      if (match) return match.name;
      return intToJson(t.signed ? BigInt.asIntN(width, raw) : raw);
    }
    case 'ptr':
      return hexAddress(readBits(ctx.bytes, ctx.view, bit, 64));
    case 'float': {
      const at = bit >>> 3;
      if (t.size === 4) return floatToJson(ctx.view.getFloat32(at, true));
      if (t.size === 8) return floatToJson(ctx.view.getFloat64(at, true));
      // long double and friends: JavaScript has no such number, show the bytes.
      return bytesToHex(ctx.bytes.subarray(at, at + t.size));
    }
    case 'array':
      return decodeArray(ctx, t, bit, depth);
    case 'struct':
    case 'union':
    case 'datasec': {
      if (isSpinLockType(t)) return SPIN_LOCK;
      const out: { [field: string]: Decoded } = {};
      for (const f of fieldsOf(ctx.btf, t)) setField(out, f.name, decodeAt(ctx, f.type, bit + f.bitOffset, f.bitSize, depth + 1));
      return out;
    }
    case 'var':
      return decodeAt(ctx, t.type, bit, 0, depth + 1);
    default:
      return null;
  }
}

function decodeArray(ctx: DecodeCtx, t: BtfArray, bit: number, depth: number): Decoded {
  if (isCharLike(ctx.btf, t.type)) {
    const at = bit >>> 3;
    const text = decodeCharArray(ctx.bytes.subarray(at, at + t.length));
    if (text !== undefined) return text;
  }
  const stride = ctx.btf.sizeOf(t.type) * 8;
  const out: Decoded[] = new Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = decodeAt(ctx, t.type, bit + i * stride, 0, depth + 1);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// A char array is a string when it holds printable text (ASCII or UTF-8; of the control
// characters only tab, newline and carriage return, which end most bpf_printk formats)
// ended by a NUL. Bytes after the NUL are ignored, as bpftool does: a buffer filled by
// bpf_probe_read_user_str() keeps stack leftovers there. Everything else is a number
// array, so no byte is hidden: no NUL at all, another control or an invalid byte, or an
// empty string followed by non-zero bytes (binary data such as a MAC address in an
// `unsigned char[6]`). Returns undefined for "not text".
function decodeCharArray(bytes: Uint8Array): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul < 0) return undefined;
  if (nul === 0) return bytes.every((b) => b === 0) ? '' : undefined;
  return decodeText(bytes.subarray(0, nul));
}

const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0d]);

// The bytes (no NUL among them) as a string, or undefined when they are not printable text.
function decodeText(bytes: Uint8Array): string | undefined {
  let ascii = true;
  for (const b of bytes) {
    if ((b < 0x20 && !TEXT_CONTROLS.has(b)) || b === 0x7f) return undefined;
    if (b > 0x7f) ascii = false;
  }
  if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s: string;
  try {
    s = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  // C1 controls (U+0080..U+009F) are as unprintable as C0 ones.
  return /[\u0080-\u009f]/.test(s) ? undefined : s;
}

/**
 * A section of C string literals (clang's `.rodata.str1.1`, which carries no BTF) as its
 * strings in order, or undefined when its bytes are not NUL-ended text. Empty strings
 * (the zeros that pad the section) are left out.
 */
export function decodeStringLiterals(bytes: Uint8Array): string[] | undefined {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0) return undefined;
  const strings: string[] = [];
  let start = 0;
  for (let at = 0; at < bytes.length; at++) {
    if (bytes[at] !== 0) continue;
    if (at > start) {
      const text = decodeText(bytes.subarray(start, at));
      if (text === undefined) return undefined;
      strings.push(text);
    }
    start = at + 1;
  }
  return strings;
}

function bytesToHex(bytes: Uint8Array): string {
  let s = '0x';
  for (let i = bytes.length - 1; i >= 0; i--) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

// ---------------------------------------------------------------------------
// Encoding

// Thrown inside encodeValue only, and turned into `{ ok: false }` at its top.
class InputError extends Error {}

interface EncodeCtx {
  btf: Btf;
  bytes: Uint8Array;
  view: DataView;
  label: string;
}

// Builds the bytes of a `typeId` value from the JSON shapes decodeValue produces. Also
// accepted: numeric strings ("42", "0x2a", "-1", "0b101"), bigints, enumerator values as
// numbers, a shorter array (the rest is zero, as in a C initializer), and for char arrays
// a string that fits with its NUL. Missing struct fields are zero. For a union, give one
// member: when several are given they are written in declaration order, later over earlier.
// Bad input is `{ ok: false, error }` with one sentence naming the path.
export function encodeValue(btf: Btf, typeId: number, input: unknown, options: EncodeOptions = {}): EncodeResult {
  const label = options.label ?? '';
  const root = btf.resolve(typeId);
  if (!hasData(root)) return { ok: false, error: `${label || 'this'} has type ${btf.typeName(typeId)}, which holds no data to write` };
  const bytes = new Uint8Array(btf.sizeOf(typeId));
  const ctx: EncodeCtx = { btf, bytes, view: new DataView(bytes.buffer), label };
  try {
    encodeAt(ctx, typeId, input, 0, 0, '', 0);
  } catch (err) {
    if (err instanceof InputError) return { ok: false, error: err.message };
    throw err;
  }
  return { ok: true, bytes };
}

// ` at key.slots[2]`, or nothing at an unlabelled root.
function at(ctx: EncodeCtx, path: string): string {
  const where = ctx.label + path;
  return where ? ` at ${where}` : '';
}

// `key.comm`, or `the value` at an unlabelled root.
function subject(ctx: EncodeCtx, path: string): string {
  return ctx.label + path || 'the value';
}

function preview(v: unknown): string {
  if (typeof v === 'string') return v.length > PREVIEW_MAX ? `"${v.slice(0, PREVIEW_MAX)}..."` : JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

// A whole number from a number, bigint or numeric string; undefined when the input is
// no number at all. Numbers past 2^53 have already lost digits, so they are refused.
function parseInteger(ctx: EncodeCtx, id: number, v: unknown, path: string): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new InputError(`expected a whole number for ${spell(ctx, id, 0)}${at(ctx, path)}, got ${v}`);
    if (!Number.isSafeInteger(v)) {
      throw new InputError(`${v} at ${subject(ctx, path)} is too large to be exact as a JavaScript number; write it as a string, e.g. "${BigInt(v)}"`);
    }
    return BigInt(v);
  }
  if (typeof v === 'string') {
    const m = /^\s*([+-]?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)\s*$/i.exec(v);
    if (!m) return undefined;
    const magnitude = BigInt(m[2]!);
    return m[1] === '-' ? -magnitude : magnitude;
  }
  return undefined;
}

// The declared type's spelling for messages, with a bitfield's width: `unsigned int:3`.
function spell(ctx: EncodeCtx, id: number, bitSize: number): string {
  const name = ctx.btf.typeName(id);
  return bitSize ? `${name}:${bitSize}` : name;
}

function encodeAt(ctx: EncodeCtx, id: number, v: unknown, bit: number, bitSize: number, path: string, depth: number): void {
  const btf = ctx.btf;
  if (depth > MAX_DEPTH) throw new BtfError(`${btf.typeName(id)} nests too deeply`);
  const t = btf.resolve(id);
  switch (t.kind) {
    case 'int':
      return encodeInt(ctx, id, t, v, bit, bitSize, path);
    case 'enum':
    case 'enum64':
      return encodeEnum(ctx, id, t, v, bit, bitSize, path);
    case 'ptr': {
      const n = v === null ? 0n : parseInteger(ctx, id, v, path);
      if (n === undefined) throw new InputError(`expected an address like "0x7ffd12345678" for ${spell(ctx, id, 0)}${at(ctx, path)}, got ${preview(v)}`);
      if (n < 0n || n >= 1n << 64n) throw new InputError(`address ${preview(v)} does not fit in a 64-bit pointer${at(ctx, path)}`);
      return writeBits(ctx.bytes, ctx.view, bit, 64, n);
    }
    case 'float': {
      const n = parseFloatInput(v);
      if (n === undefined) throw new InputError(`expected a number for ${spell(ctx, id, 0)}${at(ctx, path)}, got ${preview(v)}`);
      const byte = bit >>> 3;
      if (t.size === 4) return ctx.view.setFloat32(byte, n, true);
      if (t.size === 8) return ctx.view.setFloat64(byte, n, true);
      throw new InputError(`${spell(ctx, id, 0)}${at(ctx, path)} is a ${t.size}-byte float, which this playground cannot write`);
    }
    case 'array':
      return encodeArray(ctx, id, t, v, bit, path, depth);
    case 'struct':
    case 'union':
    case 'datasec':
      if (isSpinLockType(t)) {
        // The kernel keeps the lock: a write leaves it as it is, so there is nothing to give.
        if (v === SPIN_LOCK || v === null) return;
        throw new InputError(`${subject(ctx, path)} is a bpf_spin_lock, which only the kernel sets: leave it out (or write "${SPIN_LOCK}")`);
      }
      return encodeFields(ctx, id, t, v, bit, path, depth);
    case 'var':
      return encodeAt(ctx, t.type, v, bit, 0, path, depth + 1);
    default:
      throw new InputError(`${subject(ctx, path)} has type ${spell(ctx, id, 0)}, which holds no data to write`);
  }
}

function encodeInt(ctx: EncodeCtx, id: number, t: BtfInt, v: unknown, bit: number, bitSize: number, path: string): void {
  const width = bitSize || t.bits;
  const pos = bitSize ? bit : bit + t.bitOffset;
  if (t.bool) {
    const b = parseBool(v);
    if (b === undefined) throw new InputError(`expected true or false for ${spell(ctx, id, bitSize)}${at(ctx, path)}, got ${preview(v)}`);
    return writeBits(ctx.bytes, ctx.view, pos, width, b ? 1n : 0n);
  }
  const n = parseInteger(ctx, id, v, path);
  if (n === undefined) throw new InputError(`expected a whole number for ${spell(ctx, id, bitSize)}${at(ctx, path)}, got ${preview(v)}`);
  // A char is as often written as a byte, 0..255, as by its C value, -128..127: take both.
  // A u8 is a typedef, and so a number with one range.
  const either = !bitSize && isCharLike(ctx.btf, id);
  const min = t.signed || either ? -(1n << BigInt(width - 1)) : 0n;
  const max = t.signed && !either ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  if (n < min || n > max) throw rangeError(ctx, id, bitSize, v, path, min, max);
  writeBits(ctx.bytes, ctx.view, pos, width, BigInt.asUintN(width, n));
}

function rangeError(ctx: EncodeCtx, id: number, bitSize: number, v: unknown, path: string, min: bigint, max: bigint): InputError {
  const name = spell(ctx, id, bitSize);
  return new InputError(`value ${preview(v)} does not fit in ${name}${at(ctx, path)} (${name} holds ${min} to ${max})`);
}

function encodeEnum(ctx: EncodeCtx, id: number, t: BtfEnum, v: unknown, bit: number, bitSize: number, path: string): void {
  const width = bitSize || t.size * 8;
  let n: bigint | undefined;
  if (typeof v === 'string') n = t.values.find((e) => e.name === v)?.value;
  n ??= parseInteger(ctx, id, v, path);
  if (n === undefined) {
    const name = spell(ctx, id, bitSize);
    const values = `(values: ${t.values.map((e) => e.name).join(', ') || 'none'})`;
    if (typeof v === 'string') throw new InputError(`${preview(v)} is not a value of ${name}${at(ctx, path)} ${values}`);
    throw new InputError(`expected a name from ${name} or a number${at(ctx, path)}, got ${preview(v)} ${values}`);
  }
  // BTF before kernel 6.0 does not record whether an enum is signed: take either reading.
  const min = -(1n << BigInt(width - 1));
  const max = (1n << BigInt(width)) - 1n;
  if (n < min || n > max) throw rangeError(ctx, id, bitSize, v, path, min, max);
  writeBits(ctx.bytes, ctx.view, bit, width, BigInt.asUintN(width, n));
}

function encodeArray(ctx: EncodeCtx, id: number, t: BtfArray, v: unknown, bit: number, path: string, depth: number): void {
  const btf = ctx.btf;
  const chars = isCharLike(btf, t.type);
  if (typeof v === 'string' && chars) {
    const encoded = new TextEncoder().encode(v);
    if (encoded.length + 1 > t.length) {
      throw new InputError(
        `${preview(v)} is ${encoded.length} bytes but ${subject(ctx, path)} is ${spell(ctx, id, 0)} (room for ${Math.max(t.length - 1, 0)} bytes and the closing NUL)`,
      );
    }
    ctx.bytes.set(encoded, bit >>> 3);
    return;
  }
  if (!Array.isArray(v)) {
    throw new InputError(`expected ${chars ? 'a string or an array' : 'an array'} for ${spell(ctx, id, 0)}${at(ctx, path)}, got ${preview(v)}`);
  }
  if (v.length > t.length) throw new InputError(`${v.length} items given but ${subject(ctx, path)} is ${spell(ctx, id, 0)}`);
  const stride = btf.sizeOf(t.type) * 8;
  for (let i = 0; i < v.length; i++) encodeAt(ctx, t.type, v[i], bit + i * stride, 0, `${path}[${i}]`, depth + 1);
}

function encodeFields(ctx: EncodeCtx, id: number, t: BtfComposite | BtfDatasec, v: unknown, bit: number, path: string, depth: number): void {
  const fields = fieldsOf(ctx.btf, t);
  const noun = t.kind === 'datasec' ? 'variable' : 'field';
  const list = () => {
    const names = fields.map((f) => f.name);
    const more = names.length > FIELD_LIST_MAX ? `, ... ${names.length - FIELD_LIST_MAX} more` : '';
    return `(${noun}s: ${names.slice(0, FIELD_LIST_MAX).join(', ') || 'none'}${more})`;
  };
  if (!isPlainObject(v)) throw new InputError(`expected an object for ${spell(ctx, id, 0)}${at(ctx, path)} ${list()}, got ${preview(v)}`);
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(v)) {
    if (!known.has(key)) throw new InputError(`unknown ${noun} ${JSON.stringify(key)} in ${spell(ctx, id, 0)}${at(ctx, path)} ${list()}`);
  }
  for (const f of fields) {
    if (!Object.hasOwn(v, f.name) || v[f.name] === undefined) continue;
    encodeAt(ctx, f.type, v[f.name], bit + f.bitOffset, f.bitSize, `${path}.${f.name}`, depth + 1);
  }
}

function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
  }
  return undefined;
}

function parseFloatInput(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === 'NaN') return NaN;
  if (/^[+-]?Infinity$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || /^[+-]?0x[0-9a-f]+$/i.test(s)) return Number(s);
  return undefined;
}

// ---------------------------------------------------------------------------
// Describing

// The type tree of `id` for a form: structs expanded, arrays described once, pointers not followed.
export function describeType(btf: Btf, id: number): TypeShape {
  return shapeOf(btf, id, 0, new Set());
}

function shapeOf(btf: Btf, id: number, bitSize: number, open: Set<number>): TypeShape {
  const name = btf.typeName(id);
  const t = btf.resolve(id);
  if (open.size > MAX_DEPTH) return { kind: 'opaque', name, reason: 'nested too deeply' };
  switch (t.kind) {
    case 'int':
      if (t.bool) return { kind: 'bool', name, size: t.size };
      return { kind: 'int', name, size: t.size, signed: t.signed, bits: bitSize || t.bits };
    case 'enum':
    case 'enum64':
      return {
        kind: 'enum',
        name,
        size: t.size,
        signed: t.signed,
        enumerators: t.values.map((e) => ({ name: e.name, value: intToJson(e.value) })),
      };
    case 'ptr':
      return { kind: 'pointer', name, size: 8, target: btf.typeName(t.type) };
    case 'float':
      return { kind: 'float', name, size: t.size };
    case 'array':
      return {
        kind: 'array',
        name,
        size: btf.sizeOf(t.id),
        length: t.length,
        text: isCharLike(btf, t.type),
        elem: shapeOf(btf, t.type, 0, open),
      };
    case 'struct':
    case 'union':
    case 'datasec': {
      if (isSpinLockType(t)) return { kind: 'opaque', name, reason: 'a bpf_spin_lock: the kernel holds it while the value is read or written' };
      if (open.has(t.id)) return { kind: 'opaque', name, reason: `${name} contains itself` };
      open.add(t.id);
      const fields = fieldsOf(btf, t).map((f): FieldShape => {
        const shape: FieldShape = { name: f.name, offset: Math.floor(f.bitOffset / 8), type: shapeOf(btf, f.type, f.bitSize, open) };
        if (f.bitSize) {
          shape.bitOffset = f.bitOffset;
          shape.bits = f.bitSize;
        }
        return shape;
      });
      open.delete(t.id);
      return { kind: t.kind, name, size: t.size, fields };
    }
    case 'var':
      return shapeOf(btf, t.type, 0, open);
    case 'fwd':
      return { kind: 'opaque', name, reason: `${name} is declared but never defined` };
    default:
      return { kind: 'opaque', name, reason: `${name} holds no data` };
  }
}

// ---------------------------------------------------------------------------
// Formatting

// One line, as bpftool prints it: `"execve_counter"`, `23`, `{pid: 12, comm: "bash"}`.
// With the type, numbers that JSON carries as strings (large u64s, pointers, enum names,
// NaN) print bare and only text is quoted; without it every string is quoted.
export function formatDecoded(d: Decoded, type?: { btf: Btf; id: number }): string {
  return format(d, type?.btf, type?.id, 0);
}

const BARE_KEY = /^[A-Za-z_$][\w$.]*$/;

function format(d: Decoded, btf: Btf | undefined, id: number | undefined, depth: number): string {
  const t = btf && id !== undefined && depth <= MAX_DEPTH ? btf.resolve(id) : undefined;
  if (d === null || typeof d === 'number' || typeof d === 'boolean') return String(d);
  if (typeof d === 'string') {
    const bare = t && (t.kind === 'int' || t.kind === 'enum' || t.kind === 'enum64' || t.kind === 'ptr' || t.kind === 'float');
    return bare ? d : JSON.stringify(d);
  }
  if (Array.isArray(d)) {
    const elem = t?.kind === 'array' ? t.type : undefined;
    return `[${d.map((x) => format(x, elem === undefined ? undefined : btf, elem, depth + 1)).join(', ')}]`;
  }
  const fields = t && (t.kind === 'struct' || t.kind === 'union' || t.kind === 'datasec') ? fieldsOf(btf!, t) : [];
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const parts = Object.entries(d).map(([k, v]) => {
    const fieldType = types.get(k);
    const key = BARE_KEY.test(k) ? k : JSON.stringify(k);
    return `${key}: ${format(v, fieldType === undefined ? undefined : btf, fieldType, depth + 1)}`;
  });
  return `{${parts.join(', ')}}`;
}
