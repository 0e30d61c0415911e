// C spelled from BTF, for the exported loader: declarations of the user's own
// types (the skeleton names a global's type, `stringkey name;`, but does not
// define it), and printers of a struct's fields by name for event records.
// Pure.

import type { Btf, BtfComposite, BtfType } from '../btf/btf.ts';
import { bitWidth, type RecordField } from './record-fields.ts';

const MAX_DEPTH = 64;

/** C's spelling of type `id` declaring `inner` (a name, or '' for an abstract declarator), anonymous aggregates inline. */
export function declare(btf: Btf, id: number, inner: string, depth = 0): string {
  if (depth > MAX_DEPTH) throw new Error('a type nests too deeply to spell in C');
  const t = btf.type(id);
  const leaf = (s: string) => (inner === '' ? s : `${s} ${inner}`);
  const wrap = () => (inner.startsWith('*') ? `(${inner})` : inner);
  switch (t.kind) {
    case 'void':
      return leaf('void');
    case 'int':
    case 'float':
    case 'typedef':
      return leaf(t.name);
    case 'struct':
    case 'union':
      return leaf(t.name ? `${t.kind} ${t.name}` : `${t.kind} ${body(btf, t, depth + 1)}`);
    case 'enum':
    case 'enum64':
      return leaf(t.name ? `enum ${t.name}` : `enum { ${t.values.map((e) => `${e.name} = ${e.value}`).join(', ')} }`);
    case 'fwd':
      return leaf(`${t.union ? 'union' : 'struct'} ${t.name}`);
    case 'ptr':
      return declare(btf, t.type, inner ? `*${inner}` : '*', depth + 1);
    case 'array':
      return declare(btf, t.type, `${wrap()}[${t.length}]`, depth + 1);
    case 'func_proto': {
      const params = t.params.map((p) => (p.type === 0 && p.name === '' ? '...' : declare(btf, p.type, '', depth + 1)));
      return declare(btf, t.returnType, `${wrap()}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
    }
    case 'const':
    case 'volatile':
    case 'restrict': {
      if (btf.type(t.type).kind === 'ptr') return declare(btf, t.type, inner ? `${t.kind} ${inner}` : t.kind, depth + 1);
      return `${t.kind} ${declare(btf, t.type, inner, depth + 1)}`;
    }
    case 'type_tag':
      return declare(btf, t.type, inner, depth + 1);
    default:
      throw new Error(`a ${t.kind} cannot be spelled as a C type`);
  }
}

/** A bitfield's width: kind_flag encoding, or an old-style int narrower than its storage. */
function alignOf(btf: Btf, id: number, depth = 0): number {
  const t = btf.resolve(id);
  if (depth > MAX_DEPTH) return 1;
  switch (t.kind) {
    case 'int':
    case 'float':
    case 'enum':
    case 'enum64':
      return Math.min(t.size, 16) || 1;
    case 'ptr':
      return 8;
    case 'array':
      return alignOf(btf, t.type, depth + 1);
    case 'struct':
    case 'union':
      return isPacked(btf, t) ? 1 : Math.max(1, ...t.members.map((m) => alignOf(btf, m.type, depth + 1)));
    default:
      return 1;
  }
}

/** Whether the natural C layout cannot give the BTF's offsets and size: then the struct was declared packed. */
function isPacked(btf: Btf, t: BtfComposite): boolean {
  let align = 1;
  for (const m of t.members) {
    const a = alignOf(btf, m.type);
    align = Math.max(align, a);
    if (!bitWidth(btf, m) && (m.bitOffset % 8 !== 0 || (m.bitOffset / 8) % a !== 0)) return true;
  }
  return t.size % align !== 0;
}

/** `{ int a; char __pad0[4]; long b; }`: the members, with padding where the BTF has more than C would add. */
function body(btf: Btf, t: BtfComposite, depth: number): string {
  const packed = isPacked(btf, t);
  const fields: string[] = [];
  let cursor = 0;
  let pads = 0;
  for (const m of t.members) {
    const width = bitWidth(btf, m);
    const name = m.name;
    if (width) {
      fields.push(`${declare(btf, m.type, name, depth)}: ${width};`);
      cursor = Math.max(cursor, Math.ceil((m.bitOffset + width) / 8));
      continue;
    }
    const offset = m.bitOffset / 8;
    if (t.kind === 'struct') {
      const align = packed ? 1 : alignOf(btf, m.type);
      const natural = Math.ceil(cursor / align) * align;
      if (offset > natural) fields.push(`char __pad${pads++}[${offset - cursor}];`);
      cursor = offset + btf.sizeOf(m.type);
    } else {
      cursor = Math.max(cursor, btf.sizeOf(m.type));
    }
    fields.push(`${declare(btf, m.type, name, depth)};`);
  }
  if (t.kind === 'union' && cursor < t.size) fields.push(`char __pad${pads++}[${t.size}];`);
  else if (t.kind === 'struct' && packed && cursor < t.size) fields.push(`char __pad${pads++}[${t.size - cursor}];`);
  return `{ ${fields.join(' ')} }${packed ? ' __attribute__((packed))' : ''}`;
}

/**
 * The C definitions user space needs before the skeleton, for the types its
 * globals use that only the user's sources define (a typedef, a struct): in
 * dependency order, with a size check for each struct so a layout this
 * emitter got wrong fails the build instead of a setting.
 */
export class TypeDefinitions {
  readonly lines: string[] = [];
  /** Ids visited by value, and (negated) behind a pointer. */
  private readonly visited = new Set<number>();
  private readonly emitted = new Set<number>();

  constructor(
    private readonly btf: Btf,
    /** Whether the user's sources (not vmlinux.h or a system header) define this name. */
    private readonly isUsers: (kind: 'struct' | 'union' | 'enum' | 'typedef', name: string) => boolean,
  ) {}

  /** Defines what a value of type `id` needs; `byValue` false (behind a pointer) needs only a declaration of structs. */
  require(id: number, byValue = true, depth = 0): void {
    if (depth > MAX_DEPTH || this.visited.has(id) || (!byValue && this.visited.has(-id))) return;
    this.visited.add(byValue ? id : -id);
    const t: BtfType = this.btf.type(id);
    switch (t.kind) {
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
        return this.require(t.type, byValue, depth + 1);
      case 'ptr':
        return this.require(t.type, false, depth + 1);
      case 'array':
        return this.require(t.type, byValue, depth + 1);
      case 'func_proto':
        this.require(t.returnType, false, depth + 1);
        for (const p of t.params) this.require(p.type, false, depth + 1);
        return;
      case 'typedef':
        if (!this.isUsers('typedef', t.name)) return;
        this.require(t.type, byValue, depth + 1);
        this.emit(t.id, `typedef ${declare(this.btf, t.type, t.name)};`);
        return;
      case 'enum':
      case 'enum64':
        if (t.name && this.isUsers('enum', t.name)) this.emit(t.id, `enum ${t.name} { ${t.values.map((e) => `${e.name} = ${e.value}`).join(', ')} };`);
        return;
      case 'struct':
      case 'union': {
        if (t.name && !this.isUsers(t.kind, t.name)) return;
        if (t.name && !byValue) {
          this.emit(-t.id, `${t.kind} ${t.name};`);
          return;
        }
        for (const m of t.members) this.require(m.type, true, depth + 1);
        if (t.name) {
          this.emit(t.id, `${t.kind} ${t.name} ${body(this.btf, t, 0)};`);
          this.lines.push(`_Static_assert(sizeof(${t.kind} ${t.name}) == ${t.size}, "${t.kind} ${t.name} is ${t.size} bytes in the BPF object");`);
        }
        return;
      }
      default:
        return;
    }
  }

  private emit(key: number, line: string): void {
    if (this.emitted.has(key)) return;
    this.emitted.add(key);
    this.lines.push(line);
  }
}

/** Names the user's sources define: `struct x {`, `union x {`, `enum x {`, and typedef names. */
export function definedNames(sources: string[]): { has: (kind: 'struct' | 'union' | 'enum' | 'typedef', name: string) => boolean } {
  const names = new Set<string>();
  for (const raw of sources) {
    const source = raw
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/\/\/[^\n]*/g, ' ')
      .replace(/^\s*#[^\n]*/gm, ' ');
    for (const [, kind, name] of source.matchAll(/\b(struct|union|enum)\s+([A-Za-z_]\w*)\s*\{/g)) names.add(`${kind} ${name}`);
    for (const statement of typedefStatements(source)) {
      for (const declarator of statement.split(',')) {
        const fn = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)/.exec(declarator);
        const plain = /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/.exec(declarator.replace(/\([^)]*\)\s*$/, '').trim());
        const name = fn?.[1] ?? plain?.[1];
        if (name) names.add(`typedef ${name}`);
      }
    }
  }
  return { has: (kind, name) => names.has(`${kind} ${name}`) };
}

/** Each `typedef …;` at brace depth 0, with the bodies of structs it defines taken out. */
function typedefStatements(source: string): string[] {
  const out: string[] = [];
  for (const match of source.matchAll(/\btypedef\b/g)) {
    let depth = 0;
    let text = '';
    for (let i = match.index + 'typedef'.length; i < source.length; i++) {
      const c = source[i]!;
      if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (c === ';' && depth === 0) {
        out.push(text);
        break;
      } else if (depth === 0) text += c;
    }
  }
  return out;
}

/**
 * The body of `print_<struct>(const unsigned char *p)`: one `name=value` per
 * field of the record's layout, using the loader's helpers (print_int,
 * print_uint, print_text, print_hex, get_bits).
 */
export function structPrinter(fields: RecordField[]): string[] {
  return fields.map((f) => {
    const label = `" ${f.name}="`;
    switch (f.show) {
      case 'bits':
        return `printf(${label}); ${f.signed ? 'print_int' : 'print_uint'}_bits(p, ${f.bitOffset}, ${f.bitWidth});`;
      case 'bool':
        return `printf(${label}"%s", p[${f.offset}] ? "true" : "false");`;
      case 'int':
        return `printf(${label}); ${f.signed ? 'print_int' : 'print_uint'}(p + ${f.offset}, ${f.size});`;
      case 'pointer':
        return `printf(${label}"0x"); print_uint_hex(p + ${f.offset}, 8);`;
      case 'float':
        return `printf(${label}); print_float(p + ${f.offset}, ${f.size});`;
      case 'text':
        return `printf(${label}); print_text(p + ${f.offset}, ${f.size});`;
      case 'hex':
        return `printf(${label}); print_hex(p + ${f.offset}, ${f.size});`;
      default:
        throw new Error(`no C printer for a ${(f as RecordField).show} field`);
    }
  });
}
