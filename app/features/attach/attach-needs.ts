import { type AttachSettings, isUserProbeSection } from '../../../protocol/messages.ts';
import { sourceSections } from '../kernels/capabilities.ts';

/** What the sources' programs need to be told before they can attach, as a tool's command line would tell them. */
export interface AttachNeeds {
  /** A perf_event program: which event it samples. */
  perfEvent: boolean;
  /** uprobe or usdt programs: which binary (and, in a VM, which process). */
  userProbes: boolean;
  /** SEC("uprobe") / SEC("uretprobe") with no target: a function. */
  bareUprobe: boolean;
  /** SEC("usdt") with no target: a provider:name. */
  bareUsdt: boolean;
}

export function attachNeeds(files: { name: string; content: string }[]): AttachNeeds {
  const sections = sourceSections(files).map((s) => s.section);
  const bare = (kinds: string[]) => sections.some((s) => kinds.includes(s.replace(/\.s$/, '').replace(/\/$/, '')));
  return {
    perfEvent: sections.includes('perf_event'),
    userProbes: sections.some(isUserProbeSection),
    bareUprobe: bare(['uprobe', 'uretprobe']),
    bareUsdt: bare(['usdt']),
  };
}

/**
 * The settings a Run sends: only what its programs use, and on the host
 * kernel no binary or pid (uprobes there may only watch the playground's
 * target program, in the process the Run starts).
 */
export function settingsToSend(settings: AttachSettings, needs: AttachNeeds, kernelKind: 'host' | 'vm'): AttachSettings | undefined {
  const out: AttachSettings = {};
  if (needs.perfEvent && settings.perfEvent && settings.perfEvent !== 'cpu-clock') out.perfEvent = settings.perfEvent;
  if (needs.userProbes && kernelKind === 'vm') {
    if (settings.binary?.trim()) out.binary = settings.binary.trim();
    if (settings.pid) out.pid = settings.pid;
  }
  if ((needs.bareUprobe || needs.bareUsdt) && settings.function?.trim()) out.function = settings.function.trim();
  return Object.keys(out).length ? out : undefined;
}
