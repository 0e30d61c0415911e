import type { Json } from '../../protocol/messages.ts';
import type { Btf } from '../btf/btf.ts';
import { decodeValue } from '../btf/value-codec.ts';

export interface StructChoice {
  /** The BTF the struct is defined in: the object's, or the one compiled from the user's headers. */
  btf: Btf;
  id: number;
  name: string;
  size: number;
}

/** Named structs of a BTF blob: what records may be decoded as. */
export function structsOf(btf: Btf | null): StructChoice[] {
  if (!btf) return [];
  const out: StructChoice[] = [];
  for (const type of btf.ownTypes()) if (type.kind === 'struct' && type.name) out.push({ btf, id: type.id, name: type.name, size: type.size });
  return out;
}

/**
 * Decodes a ring buffer's or perf buffer's records. The record type is the
 * one the user picked, else the struct the program submits: a struct of the
 * record's size, preferring one the user's own sources define. Perf records
 * may carry up to 7 bytes of padding after the struct.
 */
export class EventCodec {
  private picked: StructChoice | null | undefined;
  private guessed = new Map<number, StructChoice | null>();

  constructor(
    private structs: StructChoice[],
    /** Struct names the user's files define (`struct name {`). */
    private readonly ownNames: Set<string>,
  ) {}

  /** More structs to choose from (those of the user's headers, found after the fact); names already known win. */
  addStructs(more: StructChoice[]): void {
    const known = new Set(this.structs.map((s) => s.name));
    this.structs = [...this.structs, ...more.filter((s) => !known.has(s.name))];
    this.guessed.clear();
  }

  /** Fixes the type by name (null: raw bytes); returns false when the object has no such struct. */
  pick(name: string | null): boolean {
    if (name === null) {
      this.picked = null;
      return true;
    }
    const found = this.structs.find((s) => s.name === name || `struct ${s.name}` === name);
    if (!found) return false;
    this.picked = found;
    return true;
  }

  typeFor(size: number): StructChoice | null {
    if (this.picked !== undefined) return this.picked;
    if (!this.guessed.has(size)) {
      const fits = this.structs.filter((s) => s.size <= size && size - s.size < 8 && s.size > 0);
      const exact = fits.filter((s) => s.size === size);
      const pool = exact.length ? exact : fits;
      this.guessed.set(size, pool.find((s) => this.ownNames.has(s.name)) ?? (pool.length === 1 ? pool[0]! : null));
    }
    return this.guessed.get(size)!;
  }

  decode(record: Uint8Array): { value: Json | null; hex: string; size: number; type: StructChoice | null } {
    const type = this.typeFor(record.length);
    let value: Json | null = null;
    if (type && record.length >= type.size) value = decodeValue(type.btf, type.id, record.subarray(0, type.size)) as Json;
    return { value, hex: Buffer.from(record).toString('hex'), size: record.length, type };
  }
}

/** `struct name {` definitions in the user's sources. */
export function definedStructs(sources: string[]): Set<string> {
  const names = new Set<string>();
  for (const source of sources) for (const [, name] of source.matchAll(/\bstruct\s+([A-Za-z_]\w*)\s*\{/g)) names.add(name!);
  return names;
}
