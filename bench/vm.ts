/**
 * The microVM sandbox, measured against its peers in the same run:
 *   1. VM boot → the agent's hello, cold, under the accelerator this machine
 *      has (TCG here; KVM where /dev/kvm runs stock guests);
 *   2. Run sent → running with a warm VM (taken from the pool), against the
 *      same program on the host kernel and against bpftrace's cold start;
 *   3. RSS of one idle VM (QEMU), and of 10 VM sessions running at once;
 *      with the figures, how many sessions a 64 GiB host would hold.
 * Env: BENCH_VM_RUNS (default 5). Writes bench/results/vm.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PlaygroundConnection } from '../server/cli/connection.ts';
import { ROOT, loadConfig } from '../server/config.ts';
import { startTestBackend, helloSource, qemuPidsOf } from '../server/integration/harness.ts';
import { GuestVm } from '../server/sandbox/vm/guest-vm.ts';
import { vmImageDir, vmOptions, type VmKernel } from '../server/sandbox/vm/vm-kernel.ts';
import { timeBpftraceColdStart } from './latency.ts';
import { Cleanup, median, round, sleep } from './util.ts';

const RUNS = Math.max(1, Math.min(20, Number(process.env.BENCH_VM_RUNS ?? 5)));
const KERNEL = '6.12';
const CONCURRENT = 10;
const log = (line: string) => process.stdout.write(`bench vm: ${line}\n`);

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function coldBoots(): Promise<{ accel: string; bootMs: number[] }> {
  const config = loadConfig({});
  const options = vmOptions(config);
  const dir = path.join(vmImageDir(config), 'kernels', KERNEL);
  const image = { vmlinuz: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img'), rootfs: path.join(vmImageDir(config), 'rootfs.img') };
  const bootMs: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const vm = new GuestVm(image, options);
    try {
      await vm.ready;
      bootMs.push(vm.bootMs!);
    } finally {
      vm.kill();
    }
    await sleep(500);
  }
  return { accel: options.accel, bootMs };
}

async function runToRunning(server: string, kernel: string, name: string): Promise<number> {
  const connection = await PlaygroundConnection.open(server, 'bench');
  try {
    const started = performance.now();
    const { outcome } = await connection.startRun([{ name: `${name}.bpf.c`, content: helloSource(name) }], [], 180_000, kernel);
    const ms = performance.now() - started;
    if (!(outcome?.type === 'run_state' && outcome.state === 'running')) throw new Error(`the ${kernel} run did not reach running: ${JSON.stringify(outcome)}`);
    await connection.request({ type: 'stop' });
    return ms;
  } finally {
    connection.close();
  }
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const results: Record<string, unknown> = { date: new Date().toISOString(), cpus: os.cpus().length, runs: RUNS };
  try {
    log('1 cold boots');
    const cold = await coldBoots();
    results.coldBoot = { accel: cold.accel, samplesMs: cold.bootMs, medianMs: median(cold.bootMs) };

    log('2 Run → running: warm VM, host kernel, bpftrace');
    const backend = await startTestBackend((config) => {
      config.sandbox = 'auto';
      config.vm.kernels = [KERNEL];
      config.vm.poolSize = 1;
      config.vm.maxVms = CONCURRENT + 2;
      config.vm.bootConcurrency = 2;
      config.limits.runsPerWindow = 1000;
    });
    cleanup.add('backend', async () => backend.close());
    const vmKernel = backend.kernels.byName(KERNEL) as VmKernel;
    const vmMs: number[] = [];
    const hostMs: number[] = [];
    const bpftraceMs: number[] = [];
    const checkDir = mkdtempSync(path.join(os.tmpdir(), 'bench-vm-'));
    symlinkSync('/bin/true', path.join(checkDir, 'bpfbenchvm'));
    cleanup.add('check dir', async () => rmSync(checkDir, { recursive: true, force: true }));
    for (let i = 0; i < RUNS; i++) {
      // Warm means a VM from the pool: wait for the spare to be booted before each Run.
      while (vmKernel.spares < 1) await sleep(200);
      await sleep(300);
      vmMs.push(await runToRunning(backend.url, KERNEL, `bv_${i}_${process.pid % 1000}`));
      hostMs.push(await runToRunning(backend.url, 'host', `bh_${i}_${process.pid % 1000}`));
      bpftraceMs.push((await timeBpftraceColdStart(cleanup, path.join(checkDir, 'bpfbenchvm'), 'bpfbenchvm')).readyMs);
    }
    results.runToRunning = {
      warmVmMs: vmMs.map((x) => round(x, 1)),
      hostMs: hostMs.map((x) => round(x, 1)),
      bpftraceColdMs: bpftraceMs.map((x) => round(x, 1)),
      vmOverHost: round(median(vmMs) / median(hostMs)),
      vmOverBpftrace: round(median(vmMs) / median(bpftraceMs)),
    };

    log(`3 memory: idle VMs, then ${CONCURRENT} VM sessions at once`);
    while (vmKernel.spares < 1) await sleep(200);
    await sleep(2000);
    const idle = qemuPidsOf(process.pid).map(rssMiB);
    const sessions: PlaygroundConnection[] = [];
    cleanup.add('sessions', async () => {
      for (const c of sessions) c.close();
    });
    await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, i) => {
        const c = await PlaygroundConnection.open(backend.url, 'bench');
        sessions.push(c);
        const { outcome } = await c.startRun([{ name: `bc${i}.bpf.c`, content: helloSource(`bc_${i}`) }], [], 300_000, KERNEL);
        if (!(outcome?.type === 'run_state' && outcome.state === 'running')) throw new Error(`session ${i} did not run: ${JSON.stringify(outcome)}`);
      }),
    );
    await sleep(2000);
    const busy = qemuPidsOf(process.pid).map(rssMiB);
    const perSession = busy.reduce((a, b) => a + b, 0) / busy.length;
    results.memory = {
      idleVmRssMiB: round(median(idle), 1),
      concurrentSessions: CONCURRENT,
      qemuProcesses: busy.length,
      rssPerRunningVmMiB: round(perSession, 1),
      sessionsIn64GiB: Math.floor((64 * 1024) / perSession),
    };
  } finally {
    const problems = await cleanup.runAll();
    if (problems.length) log(`cleanup: ${problems.join('; ')}`);
  }
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'vm.json'), `${JSON.stringify(results, null, 2)}\n`);
  const r = results as {
    coldBoot: { accel: string; medianMs: number };
    runToRunning: { warmVmMs: number[]; hostMs: number[]; bpftraceColdMs: number[]; vmOverHost: number; vmOverBpftrace: number };
    memory: { idleVmRssMiB: number; rssPerRunningVmMiB: number; sessionsIn64GiB: number };
  };
  process.stdout.write(
    [
      '',
      `VM boot → ready, cold (${r.coldBoot.accel}): ${r.coldBoot.medianMs} ms`,
      `Run → running, warm VM ${median(r.runToRunning.warmVmMs)} ms / host ${median(r.runToRunning.hostMs)} ms = ${r.runToRunning.vmOverHost}× (target ≤ 2×)`,
      `Run → running, warm VM / bpftrace cold start ${median(r.runToRunning.bpftraceColdMs)} ms = ${r.runToRunning.vmOverBpftrace}×`,
      `RSS: idle VM ${r.memory.idleVmRssMiB} MiB (target ≤ 300); ${CONCURRENT} running VM sessions ${r.memory.rssPerRunningVmMiB} MiB each → ${r.memory.sessionsIn64GiB} sessions in 64 GiB`,
      '',
    ].join('\n'),
  );
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`bench vm: ${(error as Error).stack}\n`);
  process.exit(1);
});
