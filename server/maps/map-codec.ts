import type { Json, MapEntry, MapMeta } from '../../protocol/messages.ts';
import type { Btf } from '../btf/btf.ts';
import { decodeValue, describeType, encodeValue } from '../btf/value-codec.ts';

/** What the addon tells about a map, as far as decoding needs. */
export interface RawMapInfo {
  name: string;
  typeName: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  isInternal: boolean;
}

const PER_CPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash']);
/** Map types whose entries can be listed with get_next_key / batch lookup. */
const ITERABLE = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie']);
const WRITABLE = ITERABLE;

export type Encoded = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/**
 * Turns one map's raw keys and values into JSON and back, by its BTF types.
 * A map without BTF types (a legacy definition) falls back to integers for
 * 1/2/4/8-byte keys and values, and hex strings otherwise.
 */
export class MapCodec {
  readonly perCpu: boolean;
  readonly iterable: boolean;
  /** Bytes one CPU's value takes in a per-CPU value buffer (the kernel rounds to 8). */
  readonly valueStride: number;

  constructor(
    readonly info: RawMapInfo,
    private readonly btf: Btf | null,
    private readonly cpus: number,
  ) {
    this.perCpu = PER_CPU.has(info.typeName);
    // Internal maps (.bss/.data/.rodata) are arrays of one value holding every global.
    this.iterable = ITERABLE.has(info.typeName) || info.isInternal;
    this.valueStride = this.perCpu ? Math.ceil(info.valueSize / 8) * 8 : info.valueSize;
  }

  meta(): MapMeta {
    const { info, btf } = this;
    const writable = (WRITABLE.has(info.typeName) || info.isInternal) && !info.name.endsWith('.rodata');
    return {
      name: info.name,
      type: info.typeName,
      keySize: info.keySize,
      valueSize: info.valueSize,
      maxEntries: info.maxEntries,
      keyType: btf && info.btfKeyTypeId ? btf.typeName(info.btfKeyTypeId) : null,
      valueType: btf && info.btfValueTypeId ? btf.typeName(info.btfValueTypeId) : null,
      keyDesc: btf && info.btfKeyTypeId ? describeType(btf, info.btfKeyTypeId) : null,
      valueDesc: btf && info.btfValueTypeId ? describeType(btf, info.btfValueTypeId) : null,
      perCpu: this.perCpu,
      writable,
    };
  }

  /** Decodes `count` entries laid out back to back, as a batch dump returns them. */
  decodeEntries(keys: Uint8Array, values: Uint8Array, count: number): MapEntry[] {
    const { keySize } = this.info;
    const valueBytes = this.perCpu ? this.valueStride * this.cpus : this.info.valueSize;
    const entries: MapEntry[] = [];
    for (let i = 0; i < count; i++) {
      const key = this.decode(this.info.btfKeyTypeId, keys.subarray(i * keySize, (i + 1) * keySize));
      entries.push({ key, ...this.decodeValueBytes(values.subarray(i * valueBytes, (i + 1) * valueBytes)) });
    }
    return entries;
  }

  decodeValueBytes(bytes: Uint8Array): Pick<MapEntry, 'value' | 'perCpu'> {
    if (!this.perCpu) return { value: this.decode(this.info.btfValueTypeId, bytes) };
    const perCpu: Json[] = [];
    for (let cpu = 0; cpu < this.cpus; cpu++) {
      const start = cpu * this.valueStride;
      perCpu.push(this.decode(this.info.btfValueTypeId, bytes.subarray(start, start + this.info.valueSize)));
    }
    return { value: sumIfNumbers(perCpu), perCpu };
  }

  encodeKey(input: Json): Encoded {
    return this.encode(this.info.btfKeyTypeId, this.info.keySize, input, 'key');
  }

  /** A per-CPU value is written to CPU 0 with the other CPUs zero, so the total is what the user typed. */
  encodeValue(input: Json): Encoded {
    const one = this.encode(this.info.btfValueTypeId, this.info.valueSize, input, 'value');
    if (!one.ok || !this.perCpu) return one;
    const all = new Uint8Array(this.valueStride * this.cpus);
    all.set(one.bytes, 0);
    return { ok: true, bytes: all };
  }

  private decode(typeId: number, bytes: Uint8Array): Json {
    if (this.btf && typeId) return decodeValue(this.btf, typeId, bytes) as Json;
    return decodeUntyped(bytes);
  }

  private encode(typeId: number, size: number, input: Json, what: string): Encoded {
    if (this.btf && typeId) return encodeValue(this.btf, typeId, input, { label: what });
    return encodeUntyped(input, size, what);
  }
}

function sumIfNumbers(values: Json[]): Json {
  if (!values.every((v) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)))) return null;
  const total = values.reduce<bigint>((sum, v) => sum + BigInt(v as number | string), 0n);
  return total <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(total) : total.toString();
}

function decodeUntyped(bytes: Uint8Array): Json {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bytes.length) {
    case 1: return view.getUint8(0);
    case 2: return view.getUint16(0, true);
    case 4: return view.getUint32(0, true);
    case 8: {
      const v = view.getBigUint64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    default: return `0x${Buffer.from(bytes).toString('hex')}`;
  }
}

function encodeUntyped(input: Json, size: number, what: string): Encoded {
  if (typeof input === 'string' && /^0x[0-9a-f]*$/i.test(input) && input.length === 2 + size * 2) {
    return { ok: true, bytes: Uint8Array.from(Buffer.from(input.slice(2), 'hex')) };
  }
  if ((typeof input === 'number' && Number.isInteger(input)) || (typeof input === 'string' && /^-?\d+$/.test(input))) {
    if (![1, 2, 4, 8].includes(size)) return { ok: false, error: `The ${what} is ${size} bytes with no BTF type: give it as 0x followed by ${size * 2} hex digits.` };
    const value = BigInt(input);
    const bits = BigInt(size * 8);
    if (value < -(1n << (bits - 1n)) || value >= 1n << bits) return { ok: false, error: `${input} does not fit in the ${size}-byte ${what}.` };
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return { ok: true, bytes: bytes.slice(0, size) };
  }
  return { ok: false, error: `The ${what} has no BTF type: give a whole number or 0x followed by ${size * 2} hex digits.` };
}
