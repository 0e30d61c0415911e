// "Export": the user's program as a libbpf project that builds and runs
// outside the playground (src/ as written, a skeleton-based loader in C that
// applies the playground's seeds, a Makefile and a README), zipped.
//
// Nothing is loaded: the program is compiled once, as a Run would compile it,
// and its BTF says which maps and globals there are and how each seed's JSON
// becomes bytes (the same value codec a Run's seeds go through).

import { zipSync } from 'fflate';
import { MAX_SOURCE_FILES, type ErrorCode, type MapSeed, type SourceFile } from '../../protocol/messages.ts';
import { Btf, BtfError } from '../btf/btf.ts';
import { encodeValue } from '../btf/value-codec.ts';
import { checkSources, compile, objectName } from '../compile/compiler.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { Config } from '../config.ts';
import { MapCodec } from '../maps/map-codec.ts';
import { definedStructs } from '../events/event-codec.ts';
import { definedNames, TypeDefinitions } from './c-types.ts';
import { recordFields } from './record-fields.ts';
import { elfSection } from './elf-section.ts';
import { loaderSource, type GlobalSetting, type MapSeedBytes, type RecordPrinter, type WatchedGlobal } from './loader-c.ts';
import { objectInfo, type DataSection, type ObjectInfo } from './object-info.ts';
import { makefile, readme } from './project-files.ts';
import { BPF2GO_IDENT, genGo, goMakefile, goMod, goReadme } from './go-project-files.ts';
import { goLoaderSource } from './loader-go.ts';
import { sentence } from '../text.ts';
import { seedForMissingMap } from '../run/seed-problems.ts';

export interface ExportRequest {
  files: SourceFile[];
  seeds: MapSeed[];
  /** The project's name, a C identifier; by default (absent or empty) the main file's name without .bpf.c. */
  name?: string;
  /** The loader's language: C on the libbpf skeleton (the default), or Go on cilium/ebpf and bpf2go. */
  language?: 'c' | 'go';
}

export interface ExportDeps {
  config: Config;
  toolchain: Toolchain;
  /** Where compiles wait their turn (the backend's CompileQueue); by default they run at once. */
  schedule?: <T>(job: () => Promise<T>) => Promise<T>;
}

/** Why an export was refused, in the protocol's words (a reply's `error.code`). */
export type ExportErrorCode = Extract<ErrorCode, 'bad_request' | 'compile_failed' | 'policy_denied' | 'seed_failed' | 'internal'>;

export type ExportResult = { ok: true; zip: Uint8Array; fileNames: string[]; name: string } | { ok: false; code: ExportErrorCode; error: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Names the Makefile or the project's folders already use. */
const RESERVED = new Set(['all', 'clean', 'build', 'src']);
const MAX_SEEDS = 256;
const MAX_PRINTERS = 16;
const MAX_WATCHED = 32;
const INCLUDES_VMLINUX = /^\s*#\s*include\s*[<"]vmlinux\.h[">]/m;
/** Maps whose records the loader prints as they arrive. */
const EVENT_MAPS = new Set(['ringbuf', 'perf_event_array']);
/** Maps whose seeds are pushed (no key), and arrays, whose keys are indexes below max_entries. */
const PUSHED_MAPS = new Set(['queue', 'stack']);
const ARRAY_MAPS = new Set(['array', 'percpu_array']);
/** Typedefs the loader declares itself (loader-c.ts). */
const LOADER_TYPEDEFS = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64']);
/** Maps the loader prints every second (its dump_maps). */
const SHOWN_MAPS = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash']);

/** Builds the project's zip. Resolves `{ ok: false, error }` with one sentence for anything the user can fix; never rejects for bad input. */
export async function exportProject(request: ExportRequest, deps: ExportDeps): Promise<ExportResult> {
  const { files, seeds } = request;
  const { config, toolchain } = deps;
  if (files.length === 0) return fail('bad_request', 'There is no file to export.');
  if (files.length > MAX_SOURCE_FILES) return fail('bad_request', `A program has at most ${MAX_SOURCE_FILES} files; this one has ${files.length}.`);
  if (seeds.length > MAX_SEEDS) return fail('bad_request', `At most ${MAX_SEEDS} seeds can be exported; there are ${seeds.length}.`);
  const problem = checkSources(files, config.limits.sourceBytes);
  if (problem) return fail('bad_request', problem);
  const main = files.find((f) => f.name.endsWith('.c'))!;
  const name = request.name?.trim() || objectName(main.name);
  if (!NAME.test(name))
    return fail('bad_request', `"${name}" cannot name the project: use a C identifier (letters, digits and _, not starting with a digit, at most 64).`);
  if (RESERVED.has(name)) return fail('bad_request', `"${name}" cannot name the project: the Makefile uses it; choose another name.`);
  const clash = files.find((f) => f.name === `${name}.c` || f.name === `${name}.skel.h`);
  if (clash)
    return fail(
      'bad_request',
      `The loader's files would be src/${name}.c and ${name}.skel.h, and "${clash.name}" is one of yours: choose another project name.`,
    );

  const schedule = deps.schedule ?? ((job) => job());
  // The empty trace tag: bpf_printk as the system header spells it, and the same BTF a Run sees.
  const context = { traceTag: '' };
  const compiled = await schedule(() => compile(config, toolchain, files, context));
  if (!compiled.ok || !compiled.object)
    return fail(compiled.error?.code === 'policy_denied' ? 'policy_denied' : 'compile_failed', compiled.error?.message ?? 'The program does not compile.');
  const raw = elfSection(compiled.object, '.BTF');
  if (!raw) return fail('internal', 'The compiled object has no BTF, so its maps and globals cannot be read.');

  try {
    const btf = Btf.parse(raw);
    const info = objectInfo(btf);
    const sources = files.map((f) => f.content);

    const settings: GlobalSetting[] = [];
    const seedBytes: MapSeedBytes[] = [];
    const seeded: string[] = [];
    for (const seed of seeds) {
      const section = sectionFor(info, seed.map);
      if (section) {
        const result = globalSettings(btf, section, seed);
        if (typeof result === 'string') return fail('seed_failed', `Setting ${seed.map} failed: ${result}`);
        settings.push(...result);
        seeded.push(`before load: ${result.map((s) => `\`${section.name}\` \`${s.variable}\` = \`${s.shown}\``).join(', ')}`);
        continue;
      }
      const map = info.maps.find((m) => m.name === seed.map);
      if (!map) return fail('seed_failed', seedForMissingMap(seed.map));
      const entry = mapSeed(btf, map, seed);
      if (typeof entry === 'string') return fail('seed_failed', `Seeding map ${seed.map} failed: ${entry}`);
      seedBytes.push(entry);
      seeded.push(`after load, before attach: map \`${seed.map}\`: \`${entry.shown}\``);
    }

    const printers = info.maps.some((m) => EVENT_MAPS.has(m.typeName))
      ? await recordPrinters(btf, sources, async (names) => {
          const anchored = await schedule(() => compile(config, toolchain, withTypeAnchors(files, names), context));
          return anchored.ok && anchored.object ? elfSection(anchored.object, '.BTF') : null;
        })
      : [];

    const defined = definedNames(sources);
    // The loader already has vmlinux.h's integer names; a user's own `typedef __u64 u64;` is the same one.
    const types = new TypeDefinitions(btf, (kind, typeName) => defined.has(kind, typeName) && !(kind === 'typedef' && LOADER_TYPEDEFS.has(typeName)));
    for (const section of info.sections) for (const v of section.vars) if (v.linkage !== 'static') types.require(v.type);

    const watched = watchedGlobals(btf, info.sections);
    const text = { name, mainFile: main.name, usesVmlinux: files.some((f) => INCLUDES_VMLINUX.test(f.content)), seeded };
    const entries: Record<string, string> = {};
    if (request.language === 'go') {
      for (const file of files) entries[`${name}/bpf/${file.name}`] = file.content;
      const readsTrace = sources.some((source) => /\bbpf_(printk|trace_printk)\s*\(/.test(source));
      entries[`${name}/main.go`] = goLoaderSource({ name, ident: BPF2GO_IDENT, settings, seeds: seedBytes, printers, watched, readsTrace });
      entries[`${name}/gen.go`] = genGo(text);
      entries[`${name}/go.mod`] = goMod(text);
      entries[`${name}/Makefile`] = goMakefile(text);
      entries[`${name}/README.md`] = goReadme(text);
      entries[`${name}/.gitignore`] = `/${name}\n/bpf_*.go\n/bpf_*.o\n${text.usesVmlinux ? '/bpf/vmlinux.h\n' : ''}`;
    } else {
      const loader = loaderSource({
        name,
        mainFile: main.name,
        typeDefinitions: types.lines,
        settings,
        seeds: seedBytes,
        printers,
        watched,
        showMaps: watched.length > 0 || info.maps.some((m) => SHOWN_MAPS.has(m.typeName)),
      });
      for (const file of files) entries[`${name}/src/${file.name}`] = file.content;
      entries[`${name}/src/${name}.c`] = loader;
      entries[`${name}/Makefile`] = makefile(text);
      entries[`${name}/README.md`] = readme(text);
      entries[`${name}/.gitignore`] = `/build/\n/${name}\n`;
    }
    const encoder = new TextEncoder();
    const zip = zipSync(Object.fromEntries(Object.entries(entries).map(([path, content]) => [path, encoder.encode(content)])));
    return { ok: true, zip, fileNames: Object.keys(entries), name };
  } catch (error) {
    if (error instanceof BtfError) return fail('internal', `The object's BTF could not be read: ${error.message}.`);
    throw error;
  }
}

function fail(code: ExportErrorCode, error: string): ExportResult {
  return { ok: false, code, error };
}

/** The internal map a seed names: `.rodata` as a Run calls it, or libbpf's `prefix.rodata`. */
function sectionFor(info: ObjectInfo, map: string): DataSection | undefined {
  return info.sections.find((s) => s.name === map) ?? (map.includes('.') ? info.sections.find((s) => s.name === map.slice(map.indexOf('.'))) : undefined);
}

/** A seed for an internal map: `{ variable: value }`, each one encoded by the variable's type. */
function globalSettings(btf: Btf, section: DataSection, seed: MapSeed): GlobalSetting[] | string {
  const value = seed.value;
  if (section.name.startsWith('.kconfig')) return `the kernel's configuration values in ${section.name} are filled in by libbpf at load.`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `give the globals of ${seed.map} as an object, like {"name": value}.`;
  const out: GlobalSetting[] = [];
  for (const [variable, input] of Object.entries(value)) {
    const v = section.vars.find((x) => x.name === variable);
    if (!v) {
      const names =
        section.vars
          .filter((x) => x.linkage !== 'static')
          .map((x) => x.name)
          .join(', ') || 'none';
      return `unknown variable ${JSON.stringify(variable)} in SEC("${section.name}") (variables: ${names}).`;
    }
    if (v.linkage === 'static') return `${variable} is static, so the skeleton does not show it to user space: remove "static" to set it.`;
    const encoded = encodeValue(btf, v.type, input, { label: variable });
    if (!encoded.ok) return `${encoded.error}.`;
    out.push({
      ident: section.ident,
      section: section.name,
      variable,
      literal: cLiteral(btf, v.type, encoded.bytes),
      bytes: encoded.bytes,
      shown: JSON.stringify(input),
    });
  }
  return out;
}

/** A seed for a map in `.maps`, encoded exactly as a Run's MapCodec encodes it (one CPU's value for per-CPU maps). */
function mapSeed(btf: Btf, map: ObjectInfo['maps'][number], seed: MapSeed): MapSeedBytes | string {
  const codec = new MapCodec(map, btf, 1);
  if (!codec.meta().writable) return `map ${seed.map} (${map.typeName}) cannot be written from user space here.`;
  const shown = `${JSON.stringify(seed.key)} = ${JSON.stringify(seed.value)}`;
  const value = codec.encodeValue(seed.value);
  if (!value.ok) return sentence(value.error);
  // A queue or a stack has no keys: a seed pushes its value, as in a Run.
  if (PUSHED_MAPS.has(map.typeName)) return { map: seed.map, key: null, value: value.bytes, perCpu: false, shown: `push ${JSON.stringify(seed.value)}` };
  const key = codec.encodeKey(seed.key);
  if (!key.ok) return sentence(key.error);
  if (ARRAY_MAPS.has(map.typeName) && key.bytes.length === 4) {
    const index = new DataView(key.bytes.buffer, key.bytes.byteOffset, 4).getUint32(0, true);
    if (index >= map.maxEntries) return `index ${JSON.stringify(seed.key)} is out of range: map ${seed.map} holds indexes 0 to ${map.maxEntries - 1}.`;
  }
  return { map: seed.map, key: key.bytes, value: value.bytes, perCpu: codec.perCpu, shown };
}

/**
 * A C literal for a scalar's encoded bytes (`1234`, `18446744073709551615ULL`,
 * `true`), or null when the type is not a plain integer, bool or enum and the
 * loader copies the bytes instead.
 */
export function cLiteral(btf: Btf, typeId: number, bytes: Uint8Array): string | null {
  const t = btf.resolve(typeId);
  let size: number;
  let signed: boolean;
  if (t.kind === 'int' && t.bits === t.size * 8 && t.bitOffset === 0 && [1, 2, 4, 8].includes(t.size)) {
    if (t.bool) return bytes[0] ? 'true' : 'false';
    size = t.size;
    signed = t.signed;
  } else if ((t.kind === 'enum' || t.kind === 'enum64') && [1, 2, 4, 8].includes(t.size)) {
    size = t.size;
    signed = t.signed;
  } else {
    return null;
  }
  let raw = 0n;
  for (let i = size - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(bytes[i]!);
  const value = signed ? BigInt.asIntN(size * 8, raw) : raw;
  if (size < 8) return value.toString();
  if (!signed) return `${value}ULL`;
  // -9223372036854775808 is not a literal C has: it is minus a number too big for long long.
  return value === -(1n << 63n) ? '(-9223372036854775807LL - 1)' : `${value}LL`;
}

/** Scalars in .bss and .data (counters, mostly) that the loader prints each second. */
function watchedGlobals(btf: Btf, sections: DataSection[]): WatchedGlobal[] {
  const out: WatchedGlobal[] = [];
  for (const section of sections) {
    if (!/^\.(bss|data)(\.|$)/.test(section.name)) continue;
    for (const v of section.vars) {
      const t = btf.resolve(v.type);
      if (v.linkage === 'static' || out.length >= MAX_WATCHED) continue;
      if ((t.kind === 'int' && t.bits === t.size * 8) || t.kind === 'enum' || t.kind === 'enum64') {
        if ([1, 2, 4, 8].includes(t.size)) out.push({ ident: section.ident, section: section.name, variable: v.name, signed: t.signed, size: t.size });
      }
    }
  }
  return out;
}

/**
 * The sources again, the main file ending in a pointer to each struct: clang
 * puts a struct in BTF only when a global, a map or a function signature
 * names it, and a record type usually lives in locals alone.
 */
function withTypeAnchors(files: SourceFile[], structs: string[]): SourceFile[] {
  const anchors = structs.map((name) => `struct ${name} *__export_type_${name};`).join('\n');
  return files.map((f) => (f.name.endsWith('.c') ? { ...f, content: `${f.content}\n${anchors}\n` } : f));
}

/**
 * Printers for the structs the user's sources define, found in the object's
 * BTF or else in a second compile that names each of them.
 */
async function recordPrinters(btf: Btf, sources: string[], typeInfo: (names: string[]) => Promise<Uint8Array | null>): Promise<RecordPrinter[]> {
  const names = [...definedStructs(sources)].slice(0, MAX_PRINTERS);
  const find = (from: Btf, name: string) => {
    const t = from.findByName(name, 'struct');
    return t?.kind === 'struct' && t.size > 0 ? t : undefined;
  };
  let extra: Btf | null | undefined;
  const printers: RecordPrinter[] = [];
  for (const name of names) {
    let from = btf;
    let t = find(btf, name);
    if (!t) {
      if (extra === undefined) {
        const raw = await typeInfo(names);
        extra = raw ? Btf.parse(raw) : null;
      }
      t = extra ? find(extra, name) : undefined;
      if (!t) continue;
      from = extra!;
    }
    printers.push({ struct: name, size: t.size, fields: recordFields(from, t.id) });
  }
  return printers;
}
