// Test support only (imported by *.test.ts): real BTF from clang, and a builder for
// hand-made blobs covering what clang 14 cannot emit. Nothing is saved in the repo.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf, BtfError, type BtfComposite, type BtfType } from './btf.ts';

export interface CompiledObject {
  btf: Btf;
  // Raw contents of each requested ELF section.
  sections: Map<string, Uint8Array>;
}

const BPFTOOL = existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : 'bpftool';

// Compiles BPF C as the playground does and returns its .BTF plus the listed sections.
// With `link`, the object first goes through libbpf's static linker (`bpftool gen object`),
// which, like bpf_object__open, fills in the DATASEC sizes and variable offsets that
// clang leaves at 0 in an unlinked object.
export function compileBpf(source: string, options: { link?: boolean; sections?: string[] } = {}): CompiledObject {
  const dir = mkdtempSync(join(tmpdir(), 'btf-test-'));
  try {
    const src = join(dir, 'prog.bpf.c');
    writeFileSync(src, source);
    let obj = join(dir, 'prog.o');
    execFileSync(
      'clang',
      ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-idirafter', '/usr/include/x86_64-linux-gnu', '-idirafter', '/usr/include', '-c', src, '-o', obj],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (options.link) {
      const linked = join(dir, 'linked.o');
      execFileSync(BPFTOOL, ['gen', 'object', linked, obj], { stdio: ['ignore', 'ignore', 'pipe'] });
      obj = linked;
    }
    const names = ['.BTF', ...(options.sections ?? [])];
    const args = names.flatMap((name, i) => ['--dump-section', `${name}=${join(dir, `section-${i}`)}`]);
    execFileSync('llvm-objcopy', [...args, obj, join(dir, 'scratch.o')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sections = new Map(names.map((name, i) => [name, new Uint8Array(readFileSync(join(dir, `section-${i}`)))]));
    return { btf: Btf.parse(sections.get('.BTF')!), sections };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Key and value type ids of a BTF-defined map (`struct { __type(key, ...) } name SEC(".maps")`), as libbpf finds them.
export function mapTypes(btf: Btf, mapName: string): { key: number; value: number } {
  const variable = btf.findByName(mapName, 'var');
  if (variable?.kind !== 'var') throw new BtfError(`no map variable ${mapName}`);
  const def = btf.resolve(variable.type) as BtfComposite;
  const pointee = (member: string): number => {
    const m = def.members.find((x) => x.name === member);
    const ptr = m && btf.resolve(m.type);
    if (ptr?.kind !== 'ptr') throw new BtfError(`map ${mapName} has no ${member} type`);
    return ptr.type;
  };
  return { key: pointee('key'), value: pointee('value') };
}

export function typeByName(btf: Btf, name: string, kind?: BtfType['kind']): BtfType {
  const t = btf.findByName(name, kind);
  if (!t) throw new BtfError(`no type ${name}`);
  return t;
}

type Member = { name: string; type: number; bitOffset: number; bitSize?: number };

// Writes BTF the way btf.rst lays it out. Ids are handed out in call order.
export class BtfBuilder {
  readonly #words: number[][] = [];
  readonly #strings: string[] = [''];
  readonly #stringOffsets = new Map<string, number>([['', 0]]);
  #strLen = 1;
  readonly #firstId: number;
  readonly #strBase: number;

  // For split BTF: the base's typeCount and string section length.
  constructor(base?: { typeCount: number; strLen: number }) {
    this.#firstId = base ? base.typeCount : 1;
    this.#strBase = base ? base.strLen : 0;
  }

  get strLen(): number {
    return this.#strLen;
  }

  #str(s: string): number {
    if (s === '') return 0;
    let off = this.#stringOffsets.get(s);
    if (off === undefined) {
      off = this.#strBase + this.#strLen;
      this.#stringOffsets.set(s, off);
      this.#strings.push(s);
      this.#strLen += new TextEncoder().encode(s).length + 1;
    }
    return off;
  }

  #add(name: string, kind: number, vlen: number, kflag: boolean, sizeOrType: number, extra: number[] = []): number {
    const info = ((kflag ? 1 : 0) << 31) | (kind << 24) | vlen;
    this.#words.push([this.#str(name), info >>> 0, sizeOrType >>> 0, ...extra.map((w) => w >>> 0)]);
    return this.#firstId + this.#words.length - 1;
  }

  int(name: string, size: number, o: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; offset?: number } = {}): number {
    const encoding = (o.signed ? 1 : 0) | (o.char ? 2 : 0) | (o.bool ? 4 : 0);
    return this.#add(name, 1, 0, false, size, [(encoding << 24) | ((o.offset ?? 0) << 16) | (o.bits ?? size * 8)]);
  }
  ptr(type: number): number {
    return this.#add('', 2, 0, false, type);
  }
  array(type: number, indexType: number, length: number): number {
    return this.#add('', 3, 0, false, 0, [type, indexType, length]);
  }
  struct(name: string, size: number, members: Member[], union = false): number {
    const kflag = members.some((m) => m.bitSize);
    const extra = members.flatMap((m) => [this.#str(m.name), m.type, kflag ? ((m.bitSize ?? 0) << 24) | m.bitOffset : m.bitOffset]);
    return this.#add(name, union ? 5 : 4, members.length, kflag, size, extra);
  }
  enum(name: string, size: number, values: [string, number][], signed = false): number {
    return this.#add(
      name,
      6,
      values.length,
      signed,
      size,
      values.flatMap(([n, v]) => [this.#str(n), v]),
    );
  }
  enum64(name: string, size: number, values: [string, bigint][], signed = false): number {
    const extra = values.flatMap(([n, v]) => {
      const bits = BigInt.asUintN(64, v);
      return [this.#str(n), Number(bits & 0xffffffffn), Number(bits >> 32n)];
    });
    return this.#add(name, 19, values.length, signed, size, extra);
  }
  fwd(name: string, union = false): number {
    return this.#add(name, 7, 0, union, 0);
  }
  typedef(name: string, type: number): number {
    return this.#add(name, 8, 0, false, type);
  }
  volatile(type: number): number {
    return this.#add('', 9, 0, false, type);
  }
  const(type: number): number {
    return this.#add('', 10, 0, false, type);
  }
  funcProto(returnType: number, params: [string, number][]): number {
    return this.#add(
      '',
      13,
      params.length,
      false,
      returnType,
      params.flatMap(([n, t]) => [this.#str(n), t]),
    );
  }
  func(name: string, proto: number): number {
    return this.#add(name, 12, 1, false, proto);
  }
  var(name: string, type: number): number {
    return this.#add(name, 14, 0, false, type, [1]);
  }
  datasec(name: string, size: number, vars: [number, number, number][]): number {
    return this.#add(name, 15, vars.length, false, size, vars.flat());
  }
  float(name: string, size: number): number {
    return this.#add(name, 16, 0, false, size);
  }
  typeTag(name: string, type: number): number {
    return this.#add(name, 18, 0, false, type);
  }

  build(): Uint8Array {
    const typeBytes = this.#words.reduce((n, w) => n + 4 * w.length, 0);
    const out = new Uint8Array(24 + typeBytes + this.#strLen);
    const view = new DataView(out.buffer);
    view.setUint16(0, 0xeb9f, true);
    view.setUint8(2, 1);
    view.setUint32(4, 24, true);
    view.setUint32(8, 0, true);
    view.setUint32(12, typeBytes, true);
    view.setUint32(16, typeBytes, true);
    view.setUint32(20, this.#strLen, true);
    let off = 24;
    for (const w of this.#words) {
      for (const x of w) {
        view.setUint32(off, x, true);
        off += 4;
      }
    }
    for (const s of this.#strings) {
      const b = new TextEncoder().encode(s);
      out.set(b, off);
      off += b.length + 1;
    }
    return out;
  }
}
