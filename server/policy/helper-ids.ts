import { readFileSync } from 'node:fs';

const HELPER_DEFS = '/usr/include/bpf/bpf_helper_defs.h';
// static long (*bpf_send_signal)(__u32 sig) = (void *) 109;          (libbpf 1.1)
// static long (* const bpf_send_signal)(__u32 sig) = (void *) 109;   (libbpf 1.4)
const DEFINITION = /\(\*\s*(?:const\s+)?(bpf_\w+)\)\(.*\) = \(void \*\) (\d+);$/gm;

let cached: Map<number, string> | null = null;

/** Helper ids by name, read from libbpf's bpf_helper_defs.h (the ids the compiler put in call instructions). */
export function helperNames(): Map<number, string> {
  if (cached) return cached;
  const names = new Map<number, string>();
  for (const [, name, id] of readFileSync(HELPER_DEFS, 'utf8').matchAll(DEFINITION)) names.set(Number(id), name!);
  // Fail closed: with no names, no denied helper would ever be recognised.
  if (names.size < 100) throw new Error(`${HELPER_DEFS} lists ${names.size} helpers in a form this playground reads; it expects over 100.`);
  cached = names;
  return names;
}
