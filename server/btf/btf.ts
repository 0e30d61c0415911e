// A reader for raw BTF blobs (Documentation/bpf/btf.rst): the .BTF section of a
// BPF object, the blob libbpf hands back after load, or /sys/kernel/btf/*.
// Pure: it takes bytes and imports nothing from Node, so the UI can use it too.
//
// /sys/kernel/btf/vmlinux holds ~130k types, so parse() only records where each
// type starts; type() builds the object for one id on first use and caches it.

export class BtfError extends Error {
  override name = 'BtfError';
}

export type BtfKind =
  | 'void'
  | 'int'
  | 'ptr'
  | 'array'
  | 'struct'
  | 'union'
  | 'enum'
  | 'fwd'
  | 'typedef'
  | 'volatile'
  | 'const'
  | 'restrict'
  | 'func'
  | 'func_proto'
  | 'var'
  | 'datasec'
  | 'float'
  | 'decl_tag'
  | 'type_tag'
  | 'enum64';

// Linkage of a FUNC or VAR, in btf.rst's numbering order.
export type BtfLinkage = 'static' | 'global' | 'extern';

interface BtfTypeBase {
  readonly id: number;
  // '' for anonymous types.
  readonly name: string;
}

export interface BtfVoid extends BtfTypeBase {
  readonly kind: 'void';
}

export interface BtfInt extends BtfTypeBase {
  readonly kind: 'int';
  readonly size: number;
  // BTF_INT_BITS: the value's width, 8 * size except in old-style bitfield ints.
  readonly bits: number;
  // BTF_INT_OFFSET: where the value starts inside its storage, 0 except in old-style bitfield ints.
  readonly bitOffset: number;
  readonly signed: boolean;
  // BTF_INT_CHAR. Clang never sets it (a `char` is a SIGNED int named "char"); pahole may.
  readonly char: boolean;
  readonly bool: boolean;
}

export interface BtfPtr extends BtfTypeBase {
  readonly kind: 'ptr';
  readonly type: number;
}

export interface BtfArray extends BtfTypeBase {
  readonly kind: 'array';
  // Element type.
  readonly type: number;
  readonly indexType: number;
  readonly length: number;
}

export interface BtfMember {
  // '' for an anonymous struct/union member.
  readonly name: string;
  readonly type: number;
  // Offset of the member from the start of its struct, in bits.
  readonly bitOffset: number;
  // Width of a bitfield declared with kind_flag set; 0 otherwise (see BtfInt.bits for the old encoding).
  readonly bitSize: number;
}

export interface BtfComposite extends BtfTypeBase {
  readonly kind: 'struct' | 'union';
  readonly size: number;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumerator {
  readonly name: string;
  readonly value: bigint;
}

export interface BtfEnum extends BtfTypeBase {
  readonly kind: 'enum' | 'enum64';
  readonly size: number;
  // kind_flag: values are signed. BTF from before kernel 6.0 / clang 15 never sets it.
  readonly signed: boolean;
  readonly values: readonly BtfEnumerator[];
}

export interface BtfFwd extends BtfTypeBase {
  readonly kind: 'fwd';
  readonly union: boolean;
}

export interface BtfRef extends BtfTypeBase {
  readonly kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  readonly type: number;
}

export interface BtfFunc extends BtfTypeBase {
  readonly kind: 'func';
  // The FUNC_PROTO.
  readonly type: number;
  readonly linkage: BtfLinkage;
}

export interface BtfParam {
  readonly name: string;
  // 0 with an empty name marks `...` as the last parameter.
  readonly type: number;
}

export interface BtfFuncProto extends BtfTypeBase {
  readonly kind: 'func_proto';
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends BtfTypeBase {
  readonly kind: 'var';
  readonly type: number;
  readonly linkage: BtfLinkage;
}

export interface BtfVarSecinfo {
  // A VAR (or a FUNC, for extern functions in .ksyms).
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends BtfTypeBase {
  readonly kind: 'datasec';
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat extends BtfTypeBase {
  readonly kind: 'float';
  readonly size: number;
}

export interface BtfDeclTag extends BtfTypeBase {
  readonly kind: 'decl_tag';
  readonly type: number;
  // -1 when the tag is on the type itself, else the member or parameter index.
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfFwd
  | BtfRef
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

const MAGIC = 0xeb9f;
const HEADER_MIN = 24;
const TYPE_HEADER = 12;
// Every type BPF can see is 64-bit, so is every pointer.
const POINTER_SIZE = 8;
// A longer typedef/const chain, or deeper nesting, can only come from a malformed blob.
const MAX_CHAIN = 64;

const KINDS: readonly (BtfKind | undefined)[] = [
  'void',
  'int',
  'ptr',
  'array',
  'struct',
  'union',
  'enum',
  'fwd',
  'typedef',
  'volatile',
  'const',
  'restrict',
  'func',
  'func_proto',
  'var',
  'datasec',
  'float',
  'decl_tag',
  'type_tag',
  'enum64',
];
const LINKAGES: readonly BtfLinkage[] = ['static', 'global', 'extern'];
const MODIFIERS = new Set<BtfKind>(['typedef', 'volatile', 'const', 'restrict', 'type_tag']);
const VOID: BtfVoid = Object.freeze({ id: 0, kind: 'void', name: '' });

// Bytes of kind-specific data following the 12-byte btf_type, or -1 for an unknown kind.
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case 1:
      return 4; // INT
    case 3:
      return 12; // ARRAY
    case 4:
    case 5:
      return 12 * vlen; // STRUCT, UNION
    case 6:
      return 8 * vlen; // ENUM
    case 13:
      return 8 * vlen; // FUNC_PROTO
    case 14:
      return 4; // VAR
    case 15:
      return 12 * vlen; // DATASEC
    case 17:
      return 4; // DECL_TAG
    case 19:
      return 12 * vlen; // ENUM64
    case 2:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 16:
    case 18:
      return 0;
    default:
      return -1;
  }
}

export class Btf {
  // The first id this blob defines: 1, or the base's typeCount for split BTF.
  readonly firstId: number;
  // One more than the largest valid id (ids run from 0, which is void).
  readonly typeCount: number;
  readonly base: Btf | undefined;

  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #offsets: Int32Array;
  readonly #strStart: number;
  readonly #strEnd: number;
  // Split BTF: a name offset below this refers to the base's strings.
  readonly #strBase: number;
  readonly #types: (BtfType | undefined)[] = [];
  readonly #strings = new Map<number, string>();
  #byName: Map<number, number | number[]> | undefined;

  private constructor(bytes: Uint8Array, offsets: Int32Array, count: number, strStart: number, strEnd: number, base: Btf | undefined) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#offsets = offsets;
    this.#strStart = strStart;
    this.#strEnd = strEnd;
    this.base = base;
    this.firstId = base ? base.typeCount : 1;
    this.typeCount = this.firstId + count;
    this.#strBase = base ? base.#strBase + (base.#strEnd - base.#strStart) : 0;
  }

  // Parses a raw BTF blob. For split BTF (a kernel module's /sys/kernel/btf/<module>)
  // pass the vmlinux Btf as base. Throws BtfError on a malformed blob: BTF comes from
  // clang, libbpf or the kernel, so a bad one is a bug, not user input.
  static parse(raw: Uint8Array, base?: Btf): Btf {
    // A private copy: types are built lazily, so the caller must not be able to change them later.
    const bytes = new Uint8Array(raw);
    if (bytes.length < HEADER_MIN) throw new BtfError(`BTF blob is ${bytes.length} bytes, shorter than its header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = view.getUint16(0, true);
    if (magic !== MAGIC) {
      if (magic === 0x9feb) throw new BtfError('BTF blob is big-endian; only little-endian BTF is supported');
      throw new BtfError(`not a BTF blob: magic is 0x${magic.toString(16)}, expected 0xeb9f`);
    }
    const version = view.getUint8(2);
    if (version !== 1) throw new BtfError(`unsupported BTF version ${version}`);
    const hdrLen = view.getUint32(4, true);
    const typeOff = view.getUint32(8, true);
    const typeLen = view.getUint32(12, true);
    const strOff = view.getUint32(16, true);
    const strLen = view.getUint32(20, true);
    if (hdrLen < HEADER_MIN) throw new BtfError(`BTF header length ${hdrLen} is shorter than ${HEADER_MIN}`);
    const typeStart = hdrLen + typeOff;
    const typeEnd = typeStart + typeLen;
    const strStart = hdrLen + strOff;
    const strEnd = strStart + strLen;
    if (typeEnd > bytes.length || strEnd > bytes.length) {
      throw new BtfError(`BTF sections run past the end of the ${bytes.length}-byte blob`);
    }

    // Every type is at least 12 bytes, which bounds the count.
    const offsets = new Int32Array(Math.floor(typeLen / TYPE_HEADER) + 1);
    let count = 0;
    let off = typeStart;
    while (off < typeEnd) {
      if (off + TYPE_HEADER > typeEnd) throw new BtfError(`truncated type at byte ${off - typeStart} of the type section`);
      const info = view.getUint32(off + 4, true);
      const kind = (info >>> 24) & 0x1f;
      const extra = extraBytes(kind, info & 0xffff);
      if (extra < 0 || kind === 0) throw new BtfError(`unknown BTF kind ${kind} for type ${(base ? base.typeCount : 1) + count}`);
      offsets[count++] = off;
      off += TYPE_HEADER + extra;
    }
    if (off !== typeEnd) throw new BtfError('the last type runs past the end of the type section');
    return new Btf(bytes, offsets, count, strStart, strEnd, base);
  }

  // The type with this id; id 0 is void. Throws BtfError for an id not in this BTF.
  type(id: number): BtfType {
    if (id === 0) return VOID;
    if (id < this.firstId) {
      if (this.base) return this.base.type(id);
    } else if (Number.isInteger(id) && id < this.typeCount) {
      return this.#types[id - this.firstId] ?? this.#build(id);
    }
    throw new BtfError(`type id ${id} is not in this BTF (ids run from 0 to ${this.typeCount - 1})`);
  }

  // Every type this blob defines (not its base's), in id order.
  *ownTypes(): Generator<BtfType> {
    for (let id = this.firstId; id < this.typeCount; id++) yield this.type(id);
  }

  // Skips typedef, const, volatile, restrict and type_tag, returning the type underneath.
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let i = 0; MODIFIERS.has(t.kind); i++) {
      if (i === MAX_CHAIN) throw new BtfError(`type ${id} is a typedef/modifier loop`);
      t = this.type((t as BtfRef).type);
    }
    return t;
  }

  // Size in bytes of a value of this type. Throws BtfError for void, forward declarations and functions.
  sizeOf(id: number): number {
    let length = 1;
    for (let i = 0; i < MAX_CHAIN; i++) {
      const t = this.resolve(id);
      switch (t.kind) {
        case 'int':
        case 'struct':
        case 'union':
        case 'enum':
        case 'enum64':
        case 'datasec':
        case 'float':
          return length * t.size;
        case 'ptr':
          return length * POINTER_SIZE;
        case 'array':
          length *= t.length;
          id = t.type;
          break;
        case 'var':
          id = t.type;
          break;
        default:
          throw new BtfError(`${this.typeName(id)} has no size`);
      }
    }
    throw new BtfError(`type ${id} nests too deeply`);
  }

  // A C spelling of the type as BTF names it: `struct event`, `char[64]`, `u64`, `int *`,
  // `const char *`, `int (*)(int, char *)`. Anonymous aggregates are `struct (anon)`.
  typeName(id: number): string {
    return this.#spell(id, '', 0).trim();
  }

  // The first type (lowest id) with this name, optionally of this kind. `struct foo`,
  // `union foo` and `enum foo` are accepted as shorthand for a kind. Searches the base too.
  findByName(name: string, kind?: BtfKind): BtfType | undefined {
    if (kind === undefined) {
      const m = /^(struct|union|enum)\s+(\S+)$/.exec(name);
      if (m) {
        return m[1] === 'enum' ? (this.findByName(m[2]!, 'enum') ?? this.findByName(m[2]!, 'enum64')) : this.findByName(m[2]!, m[1] as BtfKind);
      }
    }
    const found = this.base?.findByName(name, kind);
    if (found) return found;
    const utf8 = new TextEncoder().encode(name);
    const hit = this.#nameIndex().get(fnv1a(utf8, 0, utf8.length));
    if (hit === undefined) return undefined;
    for (const id of typeof hit === 'number' ? [hit] : hit) {
      const t = this.type(id);
      if (t.name === name && (kind === undefined || t.kind === kind)) return t;
    }
    return undefined;
  }

  // The string at this offset of the string section ('' for offset 0).
  string(offset: number): string {
    if (offset < this.#strBase) {
      if (this.base) return this.base.string(offset);
      throw new BtfError(`string offset ${offset} is outside the string section`);
    }
    const cached = this.#strings.get(offset);
    if (cached !== undefined) return cached;
    const start = this.#strStart + offset - this.#strBase;
    if (start >= this.#strEnd) throw new BtfError(`string offset ${offset} is outside the string section`);
    let end = this.#bytes.indexOf(0, start);
    if (end < 0 || end > this.#strEnd) end = this.#strEnd;
    const s = decodeString(this.#bytes, start, end);
    this.#strings.set(offset, s);
    return s;
  }

  // Ids by a hash of their name's bytes. Hashing in place instead of decoding ~130k
  // names to strings keeps the first lookup in vmlinux at a few milliseconds.
  #nameIndex(): Map<number, number | number[]> {
    if (this.#byName) return this.#byName;
    const index = new Map<number, number | number[]>();
    const view = this.#view;
    for (let i = 0; i < this.typeCount - this.firstId; i++) {
      const nameOff = view.getUint32(this.#offsets[i]!, true);
      if (nameOff === 0) continue;
      const hash = this.#hashString(nameOff);
      const id = this.firstId + i;
      const prev = index.get(hash);
      if (prev === undefined) index.set(hash, id);
      else if (typeof prev === 'number') index.set(hash, [prev, id]);
      else prev.push(id);
    }
    this.#byName = index;
    return index;
  }

  #hashString(offset: number): number {
    if (offset < this.#strBase) return this.base ? this.base.#hashString(offset) : 0;
    const start = this.#strStart + offset - this.#strBase;
    const end = Math.min(this.#strEnd, this.#bytes.indexOf(0, start) >>> 0);
    return fnv1a(this.#bytes, start, end);
  }

  #build(id: number): BtfType {
    const view = this.#view;
    const off = this.#offsets[id - this.firstId]!;
    const name = this.string(view.getUint32(off, true));
    const info = view.getUint32(off + 4, true);
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const kind = KINDS[(info >>> 24) & 0x1f]!;
    const sizeOrType = view.getUint32(off + 8, true);
    const x = off + TYPE_HEADER;
    let t: BtfType;
    switch (kind) {
      case 'int': {
        const enc = view.getUint32(x, true);
        const encoding = (enc >>> 24) & 0x0f;
        t = {
          id,
          kind,
          name,
          size: sizeOrType,
          bits: enc & 0xff,
          bitOffset: (enc >>> 16) & 0xff,
          signed: (encoding & 1) !== 0,
          char: (encoding & 2) !== 0,
          bool: (encoding & 4) !== 0,
        };
        break;
      }
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        t = { id, kind, name, type: sizeOrType };
        break;
      case 'array':
        t = { id, kind, name, type: view.getUint32(x, true), indexType: view.getUint32(x + 4, true), length: view.getUint32(x + 8, true) };
        break;
      case 'struct':
      case 'union': {
        const members: BtfMember[] = [];
        for (let i = 0; i < vlen; i++) {
          const m = x + 12 * i;
          const offset = view.getUint32(m + 8, true);
          members.push({
            name: this.string(view.getUint32(m, true)),
            type: view.getUint32(m + 4, true),
            bitOffset: kflag ? offset & 0xffffff : offset,
            bitSize: kflag ? offset >>> 24 : 0,
          });
        }
        t = { id, kind, name, size: sizeOrType, members };
        break;
      }
      case 'enum': {
        const values: BtfEnumerator[] = [];
        for (let i = 0; i < vlen; i++) {
          const e = x + 8 * i;
          const raw = kflag ? view.getInt32(e + 4, true) : view.getUint32(e + 4, true);
          values.push({ name: this.string(view.getUint32(e, true)), value: BigInt(raw) });
        }
        t = { id, kind, name, size: sizeOrType, signed: kflag, values };
        break;
      }
      case 'enum64': {
        const values: BtfEnumerator[] = [];
        for (let i = 0; i < vlen; i++) {
          const e = x + 12 * i;
          const bits = (BigInt(view.getUint32(e + 8, true)) << 32n) | BigInt(view.getUint32(e + 4, true));
          values.push({ name: this.string(view.getUint32(e, true)), value: kflag ? BigInt.asIntN(64, bits) : bits });
        }
        t = { id, kind, name, size: sizeOrType, signed: kflag, values };
        break;
      }
      case 'fwd':
        t = { id, kind, name, union: kflag };
        break;
      case 'func':
        t = { id, kind, name, type: sizeOrType, linkage: LINKAGES[vlen] ?? 'static' };
        break;
      case 'func_proto': {
        const params: BtfParam[] = [];
        for (let i = 0; i < vlen; i++) {
          const p = x + 8 * i;
          params.push({ name: this.string(view.getUint32(p, true)), type: view.getUint32(p + 4, true) });
        }
        t = { id, kind, name, returnType: sizeOrType, params };
        break;
      }
      case 'var':
        t = { id, kind, name, type: sizeOrType, linkage: LINKAGES[view.getUint32(x, true)] ?? 'static' };
        break;
      case 'datasec': {
        const vars: BtfVarSecinfo[] = [];
        for (let i = 0; i < vlen; i++) {
          const v = x + 12 * i;
          vars.push({ type: view.getUint32(v, true), offset: view.getUint32(v + 4, true), size: view.getUint32(v + 8, true) });
        }
        t = { id, kind, name, size: sizeOrType, vars };
        break;
      }
      case 'float':
        t = { id, kind, name, size: sizeOrType };
        break;
      case 'decl_tag':
        t = { id, kind, name, type: sizeOrType, componentIdx: view.getInt32(x, true) };
        break;
      case 'void':
        throw new BtfError(`type ${id} has kind 0`);
    }
    this.#types[id - this.firstId] = t;
    return t;
  }

  // C declarator spelling: `inner` is what has been built around the type so far,
  // e.g. spelling `int (*)[4]` goes ptr -> inner "*", array -> "(*)[4]", int -> "int (*)[4]".
  #spell(id: number, inner: string, depth: number): string {
    if (depth > MAX_CHAIN) return `${inner} /* nested too deeply */`;
    const t = this.type(id);
    // `char[16]` but `int *`, `int (*)[4]`.
    const leaf = (s: string) => (inner === '' ? s : inner.startsWith('[') ? s + inner : `${s} ${inner}`);
    const wrap = () => (inner.startsWith('*') ? `(${inner})` : inner);
    switch (t.kind) {
      case 'void':
        return leaf('void');
      case 'int':
      case 'float':
      case 'typedef':
        return leaf(t.name || '(anon)');
      case 'struct':
      case 'union':
        return leaf(`${t.kind} ${t.name || '(anon)'}`);
      case 'enum':
      case 'enum64':
        return leaf(`enum ${t.name || '(anon)'}`);
      case 'fwd':
        return leaf(`${t.union ? 'union' : 'struct'} ${t.name}`);
      case 'ptr':
        return this.#spell(t.type, inner ? `*${inner}` : '*', depth + 1);
      case 'array':
        return this.#spell(t.type, `${wrap()}[${t.length}]`, depth + 1);
      case 'func_proto': {
        const params = t.params.map((p) => (p.type === 0 && p.name === '' ? '...' : this.#spell(p.type, '', depth + 1).trim()));
        return this.#spell(t.returnType, `${wrap()}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
      }
      case 'const':
      case 'volatile':
      case 'restrict': {
        // A qualified pointer is spelled after the star (`char *const`), anything else before (`const char`).
        if (this.type(t.type).kind === 'ptr') return this.#spell(t.type, inner ? `${t.kind} ${inner}` : t.kind, depth + 1);
        return `${t.kind} ${this.#spell(t.type, inner, depth + 1)}`;
      }
      case 'type_tag':
        return this.#spell(t.type, inner, depth + 1);
      case 'func':
        return this.#spell(t.type, t.name, depth + 1);
      case 'var':
        return this.#spell(t.type, t.name, depth + 1);
      case 'datasec':
        return `SEC("${t.name}")${inner ? ` ${inner}` : ''}`;
      case 'decl_tag':
        return `__attribute__((btf_decl_tag("${t.name}")))`;
    }
  }
}

// 32-bit FNV-1a of bytes[start, end).
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

// BTF strings are almost always ASCII identifiers; decode those without a TextDecoder call.
function decodeString(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  // fromCharCode.apply takes one argument per byte, and engines cap the argument count.
  if (!ascii || end - start > 1024) return new TextDecoder().decode(bytes.subarray(start, end));
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}
