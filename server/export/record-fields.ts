// A record's layout as the exported loaders print it, read from BTF: one entry
// per field, with where its bytes are and how to show them. Pure data, so the
// C loader and the Go loader print a record the same way.

import type { Btf, BtfComposite, BtfMember } from '../btf/btf.ts';

const QUALIFIERS = new Set(['const', 'volatile', 'restrict', 'type_tag']);
const MAX_DEPTH = 64;

export interface RecordField {
  /** The member's name; members of anonymous structs and unions are flattened into the record, as C reads them. */
  name: string;
  show: 'int' | 'bits' | 'bool' | 'pointer' | 'float' | 'text' | 'hex';
  signed: boolean;
  /** Bytes from the start of the record, and how many (for `bits`: bitOffset and bitWidth instead). */
  offset: number;
  size: number;
  bitOffset: number;
  bitWidth: number;
}

/**
 * Numbers, bools, enums (as numbers), pointers and char arrays are shown as
 * values; anything else as its bytes in hex. Fields at a bit offset that are
 * not bitfields cannot be read byte-wise and are left out.
 */
export function recordFields(btf: Btf, structId: number): RecordField[] {
  const t = btf.resolve(structId);
  if (t.kind !== 'struct' && t.kind !== 'union') return [];
  const flat: FlatField[] = [];
  flatten(btf, t, 0, flat, 0);
  const out: RecordField[] = [];
  for (const f of flat) {
    const type = btf.resolve(f.type);
    const offset = f.bitOffset / 8;
    const field = (show: RecordField['show'], size: number, signed = false): RecordField => ({
      name: f.name,
      show,
      signed,
      offset,
      size,
      bitOffset: f.bitOffset,
      bitWidth: f.bitWidth,
    });
    if (f.bitWidth) {
      out.push({ ...field('bits', 0, type.kind === 'int' && type.signed), offset: 0 });
      continue;
    }
    if (f.bitOffset % 8 !== 0) continue;
    switch (type.kind) {
      case 'int':
        if (type.bool) out.push(field('bool', 1));
        else out.push([1, 2, 4, 8].includes(type.size) ? field('int', type.size, type.signed) : field('hex', type.size));
        break;
      case 'enum':
      case 'enum64':
        out.push(field('int', type.size, type.signed));
        break;
      case 'ptr':
        out.push(field('pointer', 8));
        break;
      case 'float':
        out.push(type.size === 4 || type.size === 8 ? field('float', type.size) : field('hex', type.size));
        break;
      case 'array':
        out.push(isCharLike(btf, type.type) ? field('text', type.length) : field('hex', btf.sizeOf(type.id)));
        break;
      case 'struct':
      case 'union':
        out.push(field('hex', type.size));
        break;
      default:
        break;
    }
  }
  return out;
}

interface FlatField {
  name: string;
  type: number;
  /** From the start of the record. */
  bitOffset: number;
  bitWidth: number;
}

function flatten(btf: Btf, t: BtfComposite, base: number, out: FlatField[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  for (const m of t.members) {
    const inner = btf.resolve(m.type);
    const width = bitWidth(btf, m);
    if (m.name === '' && (inner.kind === 'struct' || inner.kind === 'union')) {
      flatten(btf, inner, base + m.bitOffset, out, depth + 1);
    } else if (m.name !== '') {
      // An old-style bitfield (no kind_flag) keeps its shift in the int type itself.
      const shift = width && !m.bitSize && inner.kind === 'int' ? inner.bitOffset : 0;
      out.push({ name: m.name, type: m.type, bitOffset: base + m.bitOffset + shift, bitWidth: width });
    }
  }
}

/** A member's width in bits when it is a bitfield, else 0. */
export function bitWidth(btf: Btf, member: BtfMember): number {
  if (member.bitSize) return member.bitSize;
  const t = btf.resolve(member.type);
  return t.kind === 'int' && (t.bits !== t.size * 8 || t.bitOffset !== 0) ? t.bits : 0;
}

function isCharLike(btf: Btf, id: number): boolean {
  let t = btf.type(id);
  for (let i = 0; QUALIFIERS.has(t.kind) && i < MAX_DEPTH; i++) t = btf.type((t as { type: number }).type);
  return t.kind === 'int' && t.size === 1 && (t.char || ['char', 'signed char', 'unsigned char'].includes(t.name));
}
