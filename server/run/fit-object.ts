// What a real tool's loader does to its object between open and load, done for the user and
// said in one line each: maps shrunk to fit the limits, a stack-trace map given the kernel's
// default depth, programs left out whose attach target this kernel lacks, and of two variants
// of one probe (fentry and kprobe, tp_btf and raw_tp), the one this kernel cannot run.
import type { Capability, ObjectChange } from '../../protocol/messages.ts';
import type { MapInfo, ProgramInfo } from '../../native/index.ts';
import { sectionKind, type Kind } from '../host/capability-notes.ts';
import { estimateMapBytes, formatBytes, type Policy } from '../policy/policy.ts';
import type { AttachTarget, ObjectAdjustments } from '../runner/runner-protocol.ts';

/** The kernel's default stack depth (sysctl kernel.perf_event_max_stack), 8 bytes a frame. */
export const DEFAULT_STACK_DEPTH = 127;

/** Maps where fewer entries means fewer things tracked at once, not different indexes. */
const SHRINKABLE = new Set(['hash', 'lru_hash', 'percpu_hash', 'lru_percpu_hash', 'lpm_trie', 'stack_trace']);

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Map sizes as a loader would set them: a stack-trace map without a
 * value_size gets 127 frames; a hash-like map or ring buffer over its limit
 * is shrunk to the largest power of two that fits; then, while the maps
 * together are over the session's limit, the largest shrinkable one is halved.
 * With `policy.shrinkMaps` off only the stack depth is filled in, and the
 * policy refuses what is too big, as before.
 */
export function fitMaps(
  maps: MapInfo[],
  policy: Policy,
  cpus: number,
): { maxEntries: ObjectAdjustments['maxEntries']; valueSize: ObjectAdjustments['valueSize']; changes: ObjectChange[] } {
  const sized = maps.map((m) => ({ ...m }));
  const valueSize: ObjectAdjustments['valueSize'] = [];
  const changes: ObjectChange[] = [];
  for (const map of sized) {
    if (map.typeName === 'stack_trace' && map.valueSize === 0) {
      map.valueSize = DEFAULT_STACK_DEPTH * 8;
      valueSize.push({ map: map.name, bytes: map.valueSize });
      changes.push({
        kind: 'map',
        name: map.name,
        message: `${map.name}: value_size 0 → ${count(map.valueSize)} bytes (${DEFAULT_STACK_DEPTH} frames, the kernel's default stack depth).`,
      });
    }
  }
  const shrunk = new Map<string, { from: number; limit: string }>();
  const shrinkTo = (map: MapInfo, entries: number, limit: string) => {
    if (!shrunk.has(map.name)) shrunk.set(map.name, { from: map.maxEntries, limit });
    else shrunk.get(map.name)!.limit = limit;
    map.maxEntries = entries;
  };
  if (policy.shrinkMaps) {
    for (const map of sized) {
      if (map.typeName === 'ringbuf' && map.maxEntries > policy.maxRingbufBytes) {
        shrinkTo(map, floorPowerOfTwo(policy.maxRingbufBytes), `the ${formatBytes(policy.maxRingbufBytes)} limit for ring buffers`);
      } else if (SHRINKABLE.has(map.typeName) && estimateMapBytes(map, cpus) > policy.maxMapBytes) {
        const perEntry = estimateMapBytes({ ...map, maxEntries: 1 }, cpus);
        shrinkTo(map, floorPowerOfTwo(Math.max(1, Math.floor(policy.maxMapBytes / perEntry))), `the ${formatBytes(policy.maxMapBytes)} per-map limit`);
      }
    }
    const total = () => sized.reduce((sum, m) => sum + estimateMapBytes(m, cpus), 0);
    while (total() > policy.maxSessionMapBytes) {
      const largest = sized
        .filter((m) => (SHRINKABLE.has(m.typeName) && m.maxEntries > 1) || (m.typeName === 'ringbuf' && m.maxEntries > PAGE))
        .sort((a, b) => estimateMapBytes(b, cpus) - estimateMapBytes(a, cpus))[0];
      if (!largest) break;
      shrinkTo(
        largest,
        floorPowerOfTwo(Math.max(largest.typeName === 'ringbuf' ? PAGE : 1, largest.maxEntries / 2)),
        `the ${formatBytes(policy.maxSessionMapBytes)} limit per session`,
      );
    }
  }
  const maxEntries: ObjectAdjustments['maxEntries'] = [];
  for (const map of sized) {
    const was = shrunk.get(map.name);
    if (!was) continue;
    maxEntries.push({ map: map.name, entries: map.maxEntries });
    const what =
      map.typeName === 'ringbuf'
        ? `ring buffer ${formatBytes(was.from)} → ${formatBytes(map.maxEntries)}`
        : `max_entries ${count(was.from)} → ${count(map.maxEntries)}`;
    changes.push({ kind: 'map', name: map.name, message: `${map.name}: ${what} to fit ${was.limit}.` });
  }
  return { maxEntries, valueSize, changes };
}

const PAGE = 4096;

function floorPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, n)));
}

/** The kind of probe a program is, and what it attaches to, from its section. */
interface ProgramTarget {
  target: AttachTarget;
  /** Programs of one group do the same job in different ways: fentry/x and kprobe/x, tp_btf/x and raw_tp/x. */
  group: string;
  kind: Kind;
}

/** Of variants of one probe, the one a loader would rather run. */
const PREFERENCE: Kind[] = ['fentry', 'kprobe', 'tp_btf', 'raw_tp', 'tracepoint', 'lsm'];

/** libbpf's section prefixes, each read into its kind, target and variant group. */
const SECTION_TARGETS: [RegExp, (m: RegExpExecArray) => ProgramTarget][] = [
  [
    /^(fentry|fexit|fmod_ret)(?:\.s)?\/(?:[^:]+:)?(.+)$/,
    (m) => ({ kind: 'fentry', target: { kind: 'function', name: m[2]! }, group: `${m[1] === 'fentry' ? 'entry' : 'exit'}:${m[2]}` }),
  ],
  [
    /^(kprobe|kretprobe)\/([^+]+)(?:\+\d+)?$/,
    (m) => ({ kind: 'kprobe', target: { kind: 'function', name: m[2]! }, group: `${m[1] === 'kprobe' ? 'entry' : 'exit'}:${m[2]}` }),
  ],
  [/^(?:tracepoint|tp)\/([^/]+)\/([^/]+)$/, (m) => ({ kind: 'tracepoint', target: { kind: 'tracepoint', name: `${m[1]}/${m[2]}` }, group: `event:${m[2]}` })],
  [/^(?:raw_tracepoint|raw_tp)(?:\.w)?\/(.+)$/, (m) => ({ kind: 'raw_tp', target: { kind: 'raw_tracepoint', name: m[1]! }, group: `event:${m[1]}` })],
  [/^tp_btf\/(.+)$/, (m) => ({ kind: 'tp_btf', target: { kind: 'raw_tracepoint', name: m[1]! }, group: `event:${m[1]}` })],
  [/^lsm(?:\.s)?\/(.+)$/, (m) => ({ kind: 'lsm', target: { kind: 'function', name: `bpf_lsm_${m[1]}` }, group: `lsm:${m[1]}` })],
];

export function programTarget(section: string): ProgramTarget | null {
  for (const [pattern, read] of SECTION_TARGETS) {
    const match = pattern.exec(section);
    if (match) return read(match);
  }
  return null;
}

/** What to look up in the kernel for these programs, in order; `choosePrograms` takes the answers in the same order. */
export function targetsToFind(programs: ProgramInfo[]): { program: string; target: AttachTarget }[] {
  return programs.flatMap((p) => {
    const found = p.autoload ? programTarget(p.section) : null;
    return found ? [{ program: p.name, target: found.target }] : [];
  });
}

const ABSENT: Record<AttachTarget['kind'], (name: string) => string> = {
  function: () => 'this kernel has no such function',
  tracepoint: () => 'this kernel has no such tracepoint',
  raw_tracepoint: () => 'this kernel has no tracepoint of that name',
};

/**
 * Which programs to leave out, as libbpf-tools' loaders decide with their
 * fentry_can_attach / kprobe_exists / tracepoint_exists checks: one whose
 * target is absent; one of a kind this kernel refuses to load (it would fail
 * the whole object); and of variants of one probe, those this kernel cannot
 * run, when one that it can is there. Never all of them: an object left with nothing to load fails with
 * the kernel's own reason instead.
 */
export function choosePrograms(
  programs: ProgramInfo[],
  found: { program: string; target: AttachTarget; exists: boolean | null }[],
  capabilities: Capability[],
): { skipPrograms: string[]; changes: ObjectChange[] } {
  const loaded = programs.filter((p) => p.autoload);
  const reasons = new Map<string, string>();
  const state = (kind: Kind) => capabilities.find((c) => c.section === kind);
  for (const { program, target, exists } of found) {
    if (exists === false) reasons.set(program, ABSENT[target.kind](target.name));
  }
  for (const p of loaded) {
    const kind = sectionKind(p.section);
    const capability = kind ? state(kind) : undefined;
    if (!reasons.has(p.name) && capability && !capability.loads) {
      reasons.set(p.name, capability.note ? lowerFirst(capability.note.replace(/\.$/, '')) : `${kind} programs do not load on this kernel`);
    }
  }
  // Variants: in a group where some kinds do not work here, keep the preferred one that does and
  // leave out those that do not. Where all of them work, all stay: the user may be comparing them.
  const groups = new Map<string, { program: ProgramInfo; kind: Kind }[]>();
  for (const p of loaded) {
    const t = programTarget(p.section);
    if (!t || reasons.has(p.name)) continue;
    groups.set(t.group, [...(groups.get(t.group) ?? []), { program: p, kind: t.kind }]);
  }
  for (const members of groups.values()) {
    if (new Set(members.map((m) => m.kind)).size < 2) continue;
    const works = (k: Kind) => {
      const c = state(k);
      return c ? c.loads && c.attaches !== false : true;
    };
    const best = [...members].sort((a, b) => PREFERENCE.indexOf(a.kind) - PREFERENCE.indexOf(b.kind)).find((m) => works(m.kind));
    if (!best) continue;
    for (const m of members) {
      if (!works(m.kind)) reasons.set(m.program.name, `${best.program.section} does the same and runs here`);
    }
  }
  if (reasons.size === 0 || reasons.size >= loaded.length) return { skipPrograms: [], changes: [] };
  const skipPrograms = loaded.filter((p) => reasons.has(p.name)).map((p) => p.name);
  return {
    skipPrograms,
    changes: skipPrograms.map((name) => {
      const section = loaded.find((p) => p.name === name)!.section;
      return { kind: 'program' as const, name, message: `${section}: not loaded, ${reasons.get(name)}.` };
    }),
  };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
