import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { startBackend, type Backend } from '../backend.ts';
import type { PlaygroundError } from '../../protocol/messages.ts';

/** A request's refusal, or undefined when it was accepted: for asserting on either. */
export function refusalOf(outcome: { ok: true } | { ok: false; error: PlaygroundError }): PlaygroundError | undefined {
  return outcome.ok ? undefined : outcome.error;
}

/** A backend on a free loopback port, without the Next.js pages; `adjust` may change its config first. */
export async function startTestBackend(adjust?: (config: Config) => void): Promise<Backend> {
  const config = loadConfig({});
  config.host = '127.0.0.1';
  config.port = 0;
  // Tests keep their shared links to themselves.
  config.dataDir = mkdtempSync(path.join(tmpdir(), 'playground-data-'));
  // The host's kernel only, unless a test asks for VMs (vm-harness.ts): every VM boot costs a core for seconds.
  config.sandbox = 'host';
  // Tests connect without a token unless they set one (websocket.kernel.test.ts does).
  config.accessToken = false;
  // Every test client comes from 127.0.0.1; websocket.kernel.test.ts tests the cap itself.
  config.limits.sessionsPerClient = 1000;
  adjust?.(config);
  const backend = await startBackend(config);
  if (backend.host.problems.length) {
    backend.close();
    throw new Error(`this host cannot run the integration tests: ${backend.host.problems.join(' ')}`);
  }
  return backend;
}

/** Names of the BPF programs loaded in the kernel right now. */
export function loadedProgramNames(): string[] {
  const out = execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  return (JSON.parse(out) as { name?: string }[]).map((p) => p.name ?? '');
}

/** A program name no other test or process uses (BPF names hold 15 characters). */
export function uniqueProgramName(): string {
  return `t_${randomBytes(5).toString('hex')}`;
}

/** A hello-world program whose function has the given name. */
export function helloSource(name: string, message = 'Hello, World!'): string {
  return `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int ${name}(void *ctx)
{
	bpf_printk("${message}");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

/** Pids of the processes holding a program of that name open (its loader), from /proc/<pid>/fdinfo. */
export function pidsHoldingProgram(name: string): number[] {
  const out = execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  const ids = new Set((JSON.parse(out) as { id: number; name?: string }[]).filter((p) => p.name === name).map((p) => p.id));
  const pids = new Set<number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^prog_id:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (match && ids.has(Number(match[1]))) pids.add(Number(pid));
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return [...pids];
}

/**
 * A backend that offers the VM kernels too, with a pool sized for the VM
 * tests: one backend and its pool are shared by a whole test file, since
 * every boot under TCG costs a core for seconds.
 */
export async function startVmTestBackend(kernels: ('6.12' | '6.1')[] = ['6.12'], poolSize = 2, tune: (config: Config) => void = () => {}): Promise<Backend> {
  return startTestBackend((config) => {
    config.sandbox = 'auto';
    config.vm.kernels = kernels;
    config.vm.poolSize = poolSize;
    config.vm.bootConcurrency = 2;
    // Lesson checks spend the Run budget too.
    config.limits.runsPerWindow = 100;
    tune(config);
  });
}

/** Pids of the QEMU processes of a backend (their cgroups are named vm-<backend pid>-<n>). */
export function qemuPidsOf(backendPid: number): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('qemu-system')) continue;
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/vm-${backendPid}-`)) pids.push(Number(pid));
    } catch {
      // It exited while we looked.
    }
  }
  return pids;
}
