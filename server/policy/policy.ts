import type { Btf } from '../btf/btf.ts';
import type { Config } from '../config.ts';

/** What the policy needs to know of one program, before load. */
export interface PolicyProgram {
  name: string;
  section: string;
  typeName: string;
  /** The compiled instructions, 8 bytes each. */
  instructions: Uint8Array;
}

export interface PolicyMap {
  name: string;
  typeName: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  isInternal: boolean;
}

export interface PolicyInput {
  programs: PolicyProgram[];
  maps: PolicyMap[];
  btf: Btf | null;
  possibleCpus: number;
  /** Helper names by id, for the call scan. */
  helpers: Map<number, string>;
}

/** One broken rule, in one sentence that names the rule and the limit. */
export interface PolicyViolation {
  rule: 'program_type' | 'helper' | 'kfunc' | 'programs' | 'maps' | 'instructions' | 'map_memory' | 'ringbuf' | 'session_memory' | 'pinning';
  message: string;
}

export type Policy = Config['policy'];

const BPF_JMP = 0x05;
const BPF_JMP32 = 0x06;
const BPF_CALL = 0x80;
const BPF_PSEUDO_CALL = 1;
const BPF_PSEUDO_KFUNC_CALL = 2;

const MiB = 1024 * 1024;
const roundUp8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * Checks an opened object against the operator's policy, before anything
 * reaches the kernel. Returns every violation, not only the first, so the
 * user can fix them in one go.
 */
export function checkPolicy(policy: Policy, input: PolicyInput): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const allowedTypes = new Set([...policy.programTypes, ...(policy.networking ? NETWORK_TYPES : [])]);
  const deniedHelpers = new Set(policy.deniedHelpers);

  if (input.programs.length > policy.maxPrograms) {
    violations.push({ rule: 'programs', message: `The object has ${input.programs.length} programs; the limit is ${policy.maxPrograms}.` });
  }
  let instructions = 0;
  for (const program of input.programs) {
    instructions += program.instructions.length / 8;
    if (!allowedTypes.has(program.typeName)) {
      violations.push({
        rule: 'program_type',
        message: `Program ${program.name} (SEC("${program.section}")) is a ${program.typeName} program; this playground allows ${[...allowedTypes].join(', ')}.`,
      });
    }
    for (const helper of calledHelpers(program.instructions)) {
      const name = input.helpers.get(helper) ?? `helper #${helper}`;
      if (deniedHelpers.has(name)) {
        violations.push({
          rule: 'helper',
          message: `Program ${program.name} calls ${name}, which the playground does not allow: ${HELPER_REASONS[name] ?? 'it can affect the host beyond tracing'}.`,
        });
      }
    }
  }
  if (instructions > policy.maxInstructions) {
    violations.push({ rule: 'instructions', message: `The programs have ${instructions} instructions in all; the limit is ${policy.maxInstructions}.` });
  }
  for (const kfunc of declaredFunctions(input.btf)) {
    if (policy.deniedKfuncs.includes(kfunc)) {
      violations.push({
        rule: 'kfunc',
        message: `The object calls the kfunc ${kfunc}, which the playground does not allow: it can affect the host beyond tracing.`,
      });
    }
  }

  const userMaps = input.maps.filter((m) => !m.isInternal);
  if (userMaps.length > policy.maxMaps) {
    violations.push({ rule: 'maps', message: `The object has ${userMaps.length} maps; the limit is ${policy.maxMaps}.` });
  }
  let total = 0;
  for (const map of input.maps) {
    const bytes = estimateMapBytes(map, input.possibleCpus);
    total += bytes;
    if (map.typeName === 'ringbuf') {
      if (map.maxEntries > policy.maxRingbufBytes) {
        violations.push({
          rule: 'ringbuf',
          message: `Ring buffer ${map.name} is ${formatBytes(map.maxEntries)}; the limit is ${formatBytes(policy.maxRingbufBytes)}.`,
        });
      }
    } else if (bytes > policy.maxMapBytes) {
      violations.push({
        rule: 'map_memory',
        message: `Map ${map.name} would take about ${formatBytes(bytes)} of kernel memory (max_entries ${map.maxEntries.toLocaleString('en-US')}); the limit per map is ${formatBytes(policy.maxMapBytes)}.`,
      });
    }
  }
  if (total > policy.maxSessionMapBytes) {
    violations.push({
      rule: 'session_memory',
      message: `The maps would take about ${formatBytes(total)} in all; the limit per session is ${formatBytes(policy.maxSessionMapBytes)}.`,
    });
  }
  for (const map of pinnedMaps(input.btf)) {
    violations.push({
      rule: 'pinning',
      message: `Map ${map} asks to be pinned in bpffs; pinning is not available in the playground, so remove its "pinning" attribute.`,
    });
  }
  return violations;
}

/** Helper ids in `call` instructions (not calls of the program's own functions, not kfuncs). */
export function calledHelpers(instructions: Uint8Array): Set<number> {
  const ids = new Set<number>();
  const view = new DataView(instructions.buffer, instructions.byteOffset, instructions.byteLength);
  for (let offset = 0; offset + 8 <= instructions.byteLength; offset += 8) {
    const code = view.getUint8(offset);
    const srcReg = view.getUint8(offset + 1) >> 4;
    const cls = code & 0x07;
    if ((cls === BPF_JMP || cls === BPF_JMP32) && (code & 0xf0) === BPF_CALL && srcReg !== BPF_PSEUDO_CALL && srcReg !== BPF_PSEUDO_KFUNC_CALL) {
      ids.add(view.getInt32(offset + 4, true));
    }
  }
  return ids;
}

/**
 * Every function the object's BTF names, kfuncs among them. Linkage cannot
 * tell a kfunc: the policy sees the BTF after libbpf's open, which marks the
 * extern functions of .ksyms global (the kernel refuses extern ones). A
 * function of the object's own named like a denied kfunc is refused too.
 */
function declaredFunctions(btf: Btf | null): string[] {
  if (!btf) return [];
  const names: string[] = [];
  for (const type of btf.ownTypes()) if (type.kind === 'func') names.push(type.name);
  return names;
}

/** Maps declared in SEC(".maps") with a `pinning` attribute. */
function pinnedMaps(btf: Btf | null): string[] {
  if (!btf) return [];
  const section = btf.findByName('.maps', 'datasec');
  if (section?.kind !== 'datasec') return [];
  const pinned: string[] = [];
  for (const { type: varId } of section.vars) {
    const variable = btf.type(varId);
    if (variable.kind !== 'var') continue;
    const definition = btf.resolve(variable.type);
    if ((definition.kind === 'struct' || definition.kind === 'union') && definition.members.some((m) => m.name === 'pinning')) {
      pinned.push(variable.name);
    }
  }
  return pinned;
}

/** Roughly what the kernel will allocate for a map, from its definition (preallocated hash tables included). */
export function estimateMapBytes(map: PolicyMap, cpus: number): number {
  const key = roundUp8(map.keySize);
  const value = roundUp8(map.valueSize);
  const entries = map.maxEntries;
  switch (map.typeName) {
    case 'ringbuf':
      return entries;
    case 'array':
      return entries * value;
    case 'percpu_array':
      return entries * value * cpus;
    case 'hash':
    case 'lru_hash':
    case 'lpm_trie':
      // Each element carries list and hash-bucket bookkeeping besides key and value.
      return entries * (key + value + 48);
    case 'percpu_hash':
    case 'lru_percpu_hash':
      return entries * (key + 48 + value * cpus);
    case 'stack_trace':
      return entries * (value + 16);
    case 'queue':
    case 'stack':
      return entries * value;
    default:
      return entries * (key + value);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

const NETWORK_TYPES = ['xdp', 'sched_cls', 'sched_act', 'socket_filter'];

const HELPER_REASONS: Record<string, string> = {
  bpf_send_signal: "it sends signals to the processes it interrupts, which may be anyone's",
  bpf_send_signal_thread: "it sends signals to the threads it interrupts, which may be anyone's",
  bpf_override_return: 'it changes what kernel functions return to other processes',
  bpf_probe_write_user: "it writes into other processes' memory",
  bpf_sys_bpf: 'it runs bpf() system calls from inside the kernel',
  bpf_sys_close: 'it closes file descriptors from inside the kernel',
  bpf_kallsyms_lookup_name: 'it is for loader programs, not tracing',
};
