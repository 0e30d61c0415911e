/**
 * Where uprobe and USDT programs attach: what a tool's loader decides from its
 * command line (a binary, a function, a pid), decided here from the program's
 * section and the Run's attach settings.
 *
 * On the host kernel a uprobe may only watch the playground's own target
 * program, in the one process the Run starts: on any other binary it would see
 * other users' processes. In a VM it may watch any binary of the guest.
 */
import { type AttachSettings, USER_PROBE_SECTION } from '../../protocol/run.ts';

/** A Run's user-space probe, ready for the loader: `binary: 'target'` and `pid: 'target'` are the target program's copy and its process. */
export type UserProbePlan =
  | { program: string; kind: 'uprobe'; binary: string; functionName: string; retprobe: boolean; pid: number | 'target' }
  | { program: string; kind: 'usdt'; binary: string; provider: string; name: string; pid: number | 'target' };

/** Where the kernel is, as far as user-space probes care. */
export interface ProbeHost {
  sandbox: 'host' | 'vm';
  /** The target program's path where the kernel is. */
  target: string;
}

export interface UserProbeDecision {
  plans: UserProbePlan[];
  /** Programs that stay detached, each with its one sentence. */
  refused: { program: string; message: string }[];
}

/** The loader's own binary, in a tool that probes itself (libbpf-bootstrap's uprobe example): here, the target program. */
const SELF = '/proc/self/exe';

export function planUserProbes(programs: { name: string; section: string }[], settings: AttachSettings | undefined, host: ProbeHost): UserProbeDecision {
  const decision: UserProbeDecision = { plans: [], refused: [] };
  for (const program of programs) {
    const match = USER_PROBE_SECTION.exec(program.section);
    if (!match) continue;
    const outcome = planOne(program.name, program.section, match, settings ?? {}, host);
    if ('message' in outcome) decision.refused.push({ program: program.name, message: outcome.message });
    else decision.plans.push(outcome);
  }
  return decision;
}

function planOne(program: string, section: string, match: RegExpExecArray, settings: AttachSettings, host: ProbeHost): UserProbePlan | { message: string } {
  const [, kind, , multi, , rest] = match;
  if (multi) return { message: `SEC("${section}"): uprobe.multi programs are not attached here; use one SEC("uprobe//path:function") per function.` };
  if (host.sandbox === 'host' && settings.pid !== undefined)
    return {
      message:
        'on the host kernel, a uprobe watches only the target program the playground starts, so a pid cannot be chosen; pick a VM kernel to watch any process.',
    };
  // From the section when it names a target (libbpf's auto-attach form), else from the Run's settings.
  const spec = rest ? rest : settings.function ? `${settings.binary ?? host.target}:${settings.function}` : '';
  const parts = splitTarget(spec);
  if (!parts) {
    const what = kind === 'usdt' ? 'probe (provider:name)' : 'function';
    return {
      message: `SEC("${section}") names no ${what}: give one in the attach settings, or write it in the section as SEC("${kind}//path:${kind === 'usdt' ? 'provider:name' : 'function'}").`,
    };
  }
  const binary = parts.binary === SELF ? host.target : parts.binary;
  const isTarget = binary === host.target;
  if (host.sandbox === 'host' && !isTarget)
    return {
      message: `on the host kernel, uprobes may only watch the playground's target program (${host.target}): on ${binary} they would see other users' processes. Pick a VM kernel to probe any binary in it.`,
    };
  const pid = settings.pid ?? (isTarget ? 'target' : -1);
  const where = isTarget ? 'target' : binary;
  if (kind === 'usdt') {
    const [provider, name, extra] = parts.names;
    if (!provider || !name || extra !== undefined)
      return { message: `SEC("${section}"): a USDT probe is named provider:name, as in SEC("usdt//path:provider:name").` };
    return { program, kind: 'usdt', binary: where, provider, name, pid };
  }
  const [functionName, extra] = parts.names;
  if (!functionName || extra !== undefined || functionName.includes('+'))
    return { message: `SEC("${section}"): a uprobe names one function, as in SEC("uprobe//path:function"); offsets are not supported here.` };
  return { program, kind: 'uprobe', binary: where, functionName, retprobe: kind === 'uretprobe', pid };
}

/** `/path/to/bin:a:b` → the path and the names after it; null when there is no path or no name. */
function splitTarget(spec: string): { binary: string; names: string[] } | null {
  const [binary, ...names] = spec.split(':');
  if (!binary || names.length === 0) return null;
  return { binary, names };
}
