/**
 * Whether this kernel has what a program attaches to, looked up the way
 * libbpf-based tools check before they load (a function in kallsyms, a
 * tracepoint in tracefs). Runs where the kernel is: in the host's runner, or
 * in a VM's guest agent. An answer of null means this kernel cannot tell
 * (kallsyms or tracefs unreadable), and the program is loaded as it is.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readFileSafe } from '../proc-util.ts';
import type { AttachTarget } from './runner-protocol.ts';

const TRACING_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

let functions: Set<string> | null | undefined;
let eventNames: Set<string> | null | undefined;

/** Text symbols of the kernel and its loaded modules: what a kprobe or fentry can name. */
function kernelFunctions(): Set<string> | null {
  if (functions !== undefined) return functions;
  const text = readFileSafe('/proc/kallsyms');
  const names = new Set<string>();
  // "ffffffff81234560 T do_sys_openat2" or "... t name\t[module]"
  for (const match of text.matchAll(/^\S+ [tTwW] (\S+)/gm)) names.add(match[1]!);
  functions = names.size ? names : null;
  return functions;
}

function eventsDir(): string | null {
  return TRACING_DIRS.map((dir) => path.join(dir, 'events')).find((dir) => existsSync(dir)) ?? null;
}

/** Every tracepoint's name without its category: a raw tracepoint (and tp_btf) names one of these. */
function tracepointNames(): Set<string> | null {
  if (eventNames !== undefined) return eventNames;
  const dir = eventsDir();
  const names = new Set<string>();
  if (dir) for (const category of safeReaddir(dir)) for (const name of safeReaddir(path.join(dir, category))) names.add(name);
  eventNames = names.size ? names : null;
  return eventNames;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function findAttachTargets(targets: AttachTarget[]): (boolean | null)[] {
  return targets.map(({ kind, name }) => {
    switch (kind) {
      case 'function':
        return kernelFunctions()?.has(name) ?? null;
      case 'tracepoint': {
        const dir = eventsDir();
        const [category, event] = name.split('/');
        if (!dir || !category || !event) return null;
        return existsSync(path.join(dir, category, event));
      }
      case 'raw_tracepoint':
        return tracepointNames()?.has(name) ?? null;
      default:
        return null;
    }
  });
}
