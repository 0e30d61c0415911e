import type { Capability } from '../../../protocol/messages.ts';

/** Section prefixes libbpf accepts for each probed kind (the capability's `section`). */
const ALIASES: Record<string, string> = {
  tp: 'tracepoint',
  raw_tracepoint: 'raw_tp',
  kretprobe: 'kprobe',
  ksyscall: 'kprobe',
  kretsyscall: 'kprobe',
  uretprobe: 'uprobe',
  fexit: 'fentry',
  fmod_ret: 'fentry',
  lsm_cgroup: 'lsm',
};

/**
 * The probed kind a SEC() name belongs to: `kretprobe/do_exit` → kprobe,
 * `fexit.s/…` → fentry, `tp/syscalls/…` → tracepoint. Variants such as `.s`
 * (sleepable), `.w`, `.multi` and `.session` count as their base kind.
 */
export function sectionKind(section: string): string {
  const prefix = section.split('/')[0]!.replace(/\.(s|w|multi|session|frags)$/, '');
  return ALIASES[prefix] ?? prefix;
}

/** A kind works when it loads and, where the playground attaches it, attaches. */
export function works(capability: Capability): boolean {
  return capability.loads && capability.attaches !== false;
}

/**
 * The kinds for the status bar: those the playground attaches, plus those that
 * do not even load. Kinds that load but are never attached here (xdp, socket,
 * iter…) are left to the details list, where their note says why.
 */
export function statusKinds(capabilities: Capability[]): Capability[] {
  return capabilities.filter((c) => c.attaches !== null || !c.loads);
}

export interface CapabilityWarning {
  file: string;
  line: number;
  /** The SEC() name as written. */
  section: string;
  kind: string;
  note: string;
}

const SEC = /\bSEC\(\s*"([^"]*)"\s*\)/g;

/**
 * SEC() names in the sources whose kind does not work here (or is never
 * attached here), each with the host's note: said before the user presses Run.
 */
export function capabilityWarnings(files: { name: string; content: string }[], capabilities: Capability[]): CapabilityWarning[] {
  if (!capabilities.length) return [];
  return sourceSections(files).flatMap(({ file, line, section }) => {
    const kind = sectionKind(section);
    const capability = capabilities.find((c) => c.section === kind);
    if (!capability?.note || (works(capability) && capability.attaches === true)) return [];
    return [{ file, line, section, kind, note: capability.note }];
  });
}

/** Every program's SEC() name in the sources, with where it is; not `license` or data sections, nor one in a comment. */
export function sourceSections(files: { name: string; content: string }[]): { file: string; line: number; section: string }[] {
  const found: { file: string; line: number; section: string }[] = [];
  for (const file of files) {
    file.content.split('\n').forEach((text, index) => {
      // Comments go, strings stay: SEC("uprobe//lib/…") has a // of its own.
      const code = text.replace(/("(?:[^"\\]|\\.)*")|\/\/.*$|\/\*.*?\*\//g, (_, string?: string) => string ?? '');
      for (const match of code.matchAll(SEC)) {
        const section = match[1]!;
        if (!section || section === 'license' || section.startsWith('.')) continue;
        found.push({ file: file.name, line: index + 1, section });
      }
    });
  }
  return found;
}
