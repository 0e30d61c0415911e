// What the exported loader needs to know about a compiled object, read from
// its BTF alone (nothing is loaded): its BTF-defined maps with their key and
// value types, and the globals of .rodata/.data/.bss that the skeleton exposes.
// Pure.

import type { Btf, BtfLinkage } from '../btf/btf.ts';
import type { RawMapInfo } from '../maps/map-codec.ts';

/** libbpf's names for enum bpf_map_type, by number (libbpf_bpf_map_type_str). */
const MAP_TYPES = [
  'unspec',
  'hash',
  'array',
  'prog_array',
  'perf_event_array',
  'percpu_hash',
  'percpu_array',
  'stack_trace',
  'cgroup_array',
  'lru_hash',
  'lru_percpu_hash',
  'lpm_trie',
  'array_of_maps',
  'hash_of_maps',
  'devmap',
  'sockmap',
  'cpumap',
  'xskmap',
  'sockhash',
  'cgroup_storage',
  'reuseport_sockarray',
  'percpu_cgroup_storage',
  'queue',
  'stack',
  'sk_storage',
  'devmap_hash',
  'struct_ops',
  'ringbuf',
  'inode_storage',
  'task_storage',
  'bloom_filter',
  'user_ringbuf',
  'cgrp_storage',
];

export interface GlobalVar {
  name: string;
  /** The VAR's type (the variable's C type). */
  type: number;
  linkage: BtfLinkage;
}

/** An internal map's DATASEC: `.rodata`, `.data`, `.bss`, `.rodata.cfg`… */
export interface DataSection {
  name: string;
  /** The skeleton's field for it (`skel->rodata`, `skel->rodata_cfg`), as bpftool names it. */
  ident: string;
  vars: GlobalVar[];
}

export interface ObjectInfo {
  /** The `.maps` section's maps, as the session's MapCodec describes them. */
  maps: RawMapInfo[];
  sections: DataSection[];
}

const INTERNAL = /^\.(rodata|data|bss|kconfig)(\.|$)/;

export function objectInfo(btf: Btf): ObjectInfo {
  const maps: RawMapInfo[] = [];
  const sections: DataSection[] = [];
  for (const t of btf.ownTypes()) {
    if (t.kind !== 'datasec') continue;
    const vars: GlobalVar[] = [];
    for (const v of t.vars) {
      const variable = btf.type(v.type);
      if (variable.kind === 'var') vars.push({ name: variable.name, type: variable.type, linkage: variable.linkage });
    }
    if (t.name === '.maps') {
      for (const v of vars) maps.push(mapInfo(btf, v));
    } else if (INTERNAL.test(t.name)) {
      sections.push({ name: t.name, ident: skeletonIdent(t.name), vars });
    }
  }
  return { maps, sections };
}

/** bpftool's get_map_ident: what follows the first of .data/.rodata/.bss/.kconfig, as an identifier. */
function skeletonIdent(section: string): string {
  for (const suffix of ['.data', '.rodata', '.bss', '.kconfig']) {
    const at = section.indexOf(suffix);
    if (at >= 0) return section.slice(at + 1).replace(/[^A-Za-z0-9_]/g, '_');
  }
  return section.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * A map definition as libbpf reads it: `__uint(type, N)` is a pointer to an
 * array of N ints, `__type(key, T)` (or a plain `T *key`) a pointer to T.
 */
function mapInfo(btf: Btf, variable: GlobalVar): RawMapInfo {
  const def = btf.resolve(variable.type);
  const members = def.kind === 'struct' ? def.members : [];
  const pointee = (field: string): number => {
    const member = members.find((m) => m.name === field);
    const ptr = member ? btf.resolve(member.type) : undefined;
    return ptr?.kind === 'ptr' ? ptr.type : 0;
  };
  const number = (field: string): number => {
    const target = pointee(field);
    const array = target ? btf.resolve(target) : undefined;
    return array?.kind === 'array' ? array.length : 0;
  };
  const keyType = pointee('key');
  const valueType = pointee('value');
  const type = number('type');
  return {
    name: variable.name,
    typeName: MAP_TYPES[type] ?? `type ${type}`,
    keySize: keyType ? btf.sizeOf(keyType) : number('key_size'),
    valueSize: valueType ? btf.sizeOf(valueType) : number('value_size'),
    maxEntries: number('max_entries'),
    btfKeyTypeId: keyType,
    btfValueTypeId: valueType,
    isInternal: false,
  };
}
