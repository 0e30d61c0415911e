import type { Json, MapEntry, MapMeta } from '../../protocol/messages.ts';
import type { Btf } from '../btf/btf.ts';
import { decodeStringLiterals, decodeValue, describeType, encodeValue, holdsSpinLock } from '../btf/value-codec.ts';
import { KERNEL_HALF, type KernelSymbols } from './kallsyms.ts';

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
  /** The map's flags (BPF_F_*); stack traces read BPF_F_STACK_BUILD_ID. */
  flags?: number;
}

const PER_CPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash']);
/** Map types whose entries can be listed with get_next_key / batch lookup. */
const ITERABLE = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'stack_trace']);
/** Map types with no keys, read by their head only: peek, push and pop. */
const HEAD_ONLY = new Set(['queue', 'stack']);
const WRITABLE = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'queue', 'stack']);
/** Maps whose entries cannot be deleted: they always hold max_entries values. */
const ARRAYS = new Set(['array', 'percpu_array']);
/** Map types whose lookups and updates take BPF_F_LOCK, for a value that holds a bpf_spin_lock (not per-CPU ones: each CPU's copy is its own). */
const LOCKABLE = new Set(['hash', 'array', 'lru_hash']);
/** bpf_get_stackid() with this map flag stores (build id, offset) pairs instead of addresses. */
const BPF_F_STACK_BUILD_ID = 1 << 5;
/** sizeof(struct bpf_stack_build_id): s32 status, 20-byte build id, u64 offset or ip. */
const BUILD_ID_FRAME = 32;

/** Sections of C string literals, which clang names by their character and alignment size. */
const STRING_SECTION = /^\.rodata\.str\d/;

export type Encoded = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/**
 * Turns one map's raw keys and values into JSON and back, by its BTF types.
 * A map without BTF types (a legacy definition) falls back to integers for
 * 1/2/4/8-byte keys and values, and hex strings otherwise; a section of
 * string literals shows its strings.
 */
export class MapCodec {
  readonly perCpu: boolean;
  /** How the map is read: every entry (dump), its head only (queue, stack), or not at all (ring buffers…). */
  readonly view: 'entries' | 'head' | 'none';
  /** Bytes one CPU's value takes in a per-CPU value buffer (the kernel rounds to 8). */
  readonly valueStride: number;
  /** The value holds a bpf_spin_lock: each value is read and written under it (BPF_F_LOCK), never half-updated. */
  readonly locked: boolean;

  constructor(
    readonly info: RawMapInfo,
    private readonly btf: Btf | null,
    private readonly cpus: number,
  ) {
    this.perCpu = PER_CPU.has(info.typeName);
    // Internal maps (.bss/.data/.rodata) are arrays of one value holding every global.
    this.view = ITERABLE.has(info.typeName) || info.isInternal ? 'entries' : HEAD_ONLY.has(info.typeName) ? 'head' : 'none';
    this.valueStride = this.perCpu ? Math.ceil(info.valueSize / 8) * 8 : info.valueSize;
    this.locked = !!btf && !!info.btfValueTypeId && LOCKABLE.has(info.typeName) && holdsSpinLock(btf, info.btfValueTypeId);
  }

  /** A section of C string literals, which has no BTF type: its one value is read as its strings. */
  private get holdsStringLiterals(): boolean {
    return this.info.isInternal && !this.info.btfValueTypeId && STRING_SECTION.test(this.info.name);
  }

  /** Entries cannot be deleted: arrays hold every index, and so do .bss/.data/.rodata. */
  get isArray(): boolean {
    return ARRAYS.has(this.info.typeName) || this.info.isInternal;
  }

  /** Whether user space may write entries. .rodata and .kconfig are frozen at load; .data and .bss (and .data.<name>) stay writable. */
  get writable(): boolean {
    return this.info.isInternal ? /^\.(data|bss)(\.|$)/.test(this.info.name) : WRITABLE.has(this.info.typeName);
  }

  /** What the page shows of the map, with its type trees (built on each call: send it once per load). */
  meta(): MapMeta {
    const { info, btf } = this;
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
      writable: this.writable,
    };
  }

  /**
   * Decodes `count` entries laid out back to back, as a batch dump returns
   * them. `symbols` names the kernel frames of stack traces.
   */
  decodeEntries(keys: Uint8Array, values: Uint8Array, count: number, symbols: KernelSymbols | null = null): MapEntry[] {
    const { keySize } = this.info;
    const valueBytes = this.perCpu ? this.valueStride * this.cpus : this.info.valueSize;
    const entries: MapEntry[] = [];
    for (let i = 0; i < count; i++) {
      const key = this.decode(this.info.btfKeyTypeId, keys.subarray(i * keySize, (i + 1) * keySize));
      entries.push({ key, ...this.decodeValueBytes(values.subarray(i * valueBytes, (i + 1) * valueBytes), symbols) });
    }
    return entries;
  }

  decodeValueBytes(bytes: Uint8Array, symbols: KernelSymbols | null = null): Pick<MapEntry, 'value' | 'perCpu'> {
    if (this.info.typeName === 'stack_trace') return { value: this.decodeStack(bytes, symbols) };
    // clang's merged string literals (`.rodata.str1.1`, the text of bpf_printk's arguments): no BTF, but text.
    if (this.holdsStringLiterals) return { value: decodeStringLiterals(bytes) ?? decodeUntyped(bytes) };
    if (!this.perCpu) return { value: this.decode(this.info.btfValueTypeId, bytes) };
    const perCpu: Json[] = [];
    for (let cpu = 0; cpu < this.cpus; cpu++) {
      const start = cpu * this.valueStride;
      perCpu.push(this.decode(this.info.btfValueTypeId, bytes.subarray(start, start + this.info.valueSize)));
    }
    return { value: sumPerCpu(perCpu), perCpu };
  }

  /**
   * A stack trace's frames, innermost first, up to the first empty slot:
   * `{ addr, symbol }` for kernel addresses the symbol table covers, `{ addr }`
   * for user-space ones (BPF_F_USER_STACK), which only the process can name.
   * Build-id stacks give `{ buildId, offset }` per frame.
   */
  private decodeStack(bytes: Uint8Array, symbols: KernelSymbols | null): Json {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frames: Json[] = [];
    if ((this.info.flags ?? 0) & BPF_F_STACK_BUILD_ID) {
      for (let at = 0; at + BUILD_ID_FRAME <= bytes.length; at += BUILD_ID_FRAME) {
        const status = view.getInt32(at, true);
        // BPF_STACK_BUILD_ID_EMPTY, _VALID, _IP
        if (status === 0) break;
        const where = hexAddress(view.getBigUint64(at + 24, true));
        frames.push(status === 1 ? { buildId: Buffer.from(bytes.subarray(at + 4, at + 24)).toString('hex'), offset: where } : { addr: where });
      }
      return frames;
    }
    for (let at = 0; at + 8 <= bytes.length; at += 8) {
      const address = view.getBigUint64(at, true);
      if (address === 0n) break;
      const symbol = address >= KERNEL_HALF ? symbols?.symbolize(address) : null;
      frames.push(symbol ? { addr: hexAddress(address), symbol } : { addr: hexAddress(address) });
    }
    return frames;
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

const isInteger = (v: Json): v is number | string => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));

/**
 * The per-CPU values added up: numbers summed (integers exactly), structs
 * field by field and arrays element by element; anything else (text) kept
 * when every CPU has the same, else null.
 */
export function sumPerCpu(values: Json[]): Json {
  if (!values.length) return null;
  if (values.every(isInteger)) {
    const total = values.reduce<bigint>((sum, v) => sum + BigInt(v), 0n);
    return total <= BigInt(Number.MAX_SAFE_INTEGER) && total >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(total) : total.toString();
  }
  if (values.every((v) => typeof v === 'number')) return (values as number[]).reduce((total, v) => total + v, 0);
  const first = values[0]!;
  if (Array.isArray(first) && values.every((v) => Array.isArray(v) && v.length === first.length)) {
    return first.map((_, i) => sumPerCpu(values.map((v) => (v as Json[])[i]!)));
  }
  if (first && typeof first === 'object' && !Array.isArray(first) && values.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    return Object.fromEntries(Object.keys(first).map((field) => [field, sumPerCpu(values.map((v) => (v as Record<string, Json>)[field] ?? null))]));
  }
  const text = JSON.stringify(first);
  return values.every((v) => JSON.stringify(v) === text) ? first : null;
}

function hexAddress(address: bigint): string {
  return `0x${address.toString(16).padStart(16, '0')}`;
}

function decodeUntyped(bytes: Uint8Array): Json {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bytes.length) {
    case 1:
      return view.getUint8(0);
    case 2:
      return view.getUint16(0, true);
    case 4:
      return view.getUint32(0, true);
    case 8: {
      const v = view.getBigUint64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    default:
      return `0x${Buffer.from(bytes).toString('hex')}`;
  }
}

function encodeUntyped(input: Json, size: number, what: string): Encoded {
  if (typeof input === 'string' && /^0x[0-9a-f]*$/i.test(input) && input.length === 2 + size * 2) {
    return { ok: true, bytes: Uint8Array.from(Buffer.from(input.slice(2), 'hex')) };
  }
  if ((typeof input === 'number' && Number.isInteger(input)) || (typeof input === 'string' && /^-?\d+$/.test(input))) {
    if (![1, 2, 4, 8].includes(size))
      return { ok: false, error: `The ${what} is ${size} bytes with no BTF type: give it as 0x followed by ${size * 2} hex digits.` };
    const value = BigInt(input);
    const bits = BigInt(size * 8);
    if (value < -(1n << (bits - 1n)) || value >= 1n << bits) return { ok: false, error: `${input} does not fit in the ${size}-byte ${what}.` };
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return { ok: true, bytes: bytes.slice(0, size) };
  }
  return { ok: false, error: `The ${what} has no BTF type: give a whole number or 0x followed by ${size * 2} hex digits.` };
}
