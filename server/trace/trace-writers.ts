import { calledHelpers } from '../policy/policy.ts';

/** The helpers that write to the trace pipe: bpf_printk is one of them, by its number of arguments. */
const TRACE_HELPERS = new Set(['bpf_trace_printk', 'bpf_trace_vprintk']);

/**
 * Whether any of these programs (their instructions) writes trace lines, the
 * page's Output. A program that does not has its results in maps or events only.
 */
export function writesTrace(programs: Uint8Array[], helpers: Map<number, string>): boolean {
  return programs.some((instructions) => [...calledHelpers(instructions)].some((id) => TRACE_HELPERS.has(helpers.get(id) ?? '')));
}
