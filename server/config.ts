import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The repository root: examples, headers and the Next build are found from here. */
export const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Every limit and setting an operator may change, in one file:
 * `playground.config.json` at the repository root, or the file named by
 * `PLAYGROUND_CONFIG`. Anything left out keeps the default below.
 */
export const configSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().default(3000),
  /** Where data that must outlive restarts is kept (the shared-links database). */
  dataDir: z.string().default(path.join(ROOT, 'data')),
  /** Where generated vmlinux.h and other per-host artefacts are kept. */
  cacheDir: z.string().default(path.join(ROOT, '.cache')),
  /** Compiles at once; the default (null) is one per CPU core. */
  compileSlots: z.number().int().min(1).nullable().default(null),
  /** Run clang and bpftool inside bubblewrap as an unprivileged user. */
  compileJail: z.enum(['bwrap', 'none']).default('bwrap'),
  /**
   * Where programs run. `vm`: every session gets a microVM with its own
   * kernel (for people you do not trust). `host`: the host's own kernel (a
   * trusted room; every participant can read everything on the host).
   * `auto`: vm when KVM really runs guests here, else host by default with
   * the VM kernels still offered in the picker.
   */
  sandbox: z.enum(['auto', 'vm', 'host']).default('auto'),
  /** The microVMs: Debian's kernels, unpacked by scripts/setup.sh into .cache/vm. */
  vm: z
    .object({
      /** VM kernels offered, by name, in the picker's order: `6.12` (Debian 12 backports) and `6.1` (Debian 12). */
      kernels: z.array(z.enum(['6.12', '6.1'])).default(['6.12', '6.1']),
      /** Offer the host's kernel too (always, when sandbox is host). */
      offerHost: z.boolean().default(true),
      /** VMs booted ahead for each kernel, so a Run need not wait for a boot: size it to the room. */
      poolSize: z.number().int().min(0).default(1),
      /** VMs that exist at once, across all kernels; past it, Runs wait in line. */
      maxVms: z.number().int().min(1).default(24),
      /** VMs booting at once: under TCG each takes a core for its whole boot. */
      bootConcurrency: z.number().int().min(1).default(1),
      vcpus: z.number().int().min(1).default(1),
      memoryMiB: z.number().int().min(128).default(256),
      /** The VM's cgroup: CPU as a share of one core, and memory (QEMU's own on top of the guest's). */
      cpuShare: z.number().min(0.05).default(1),
      cgroupMemoryMiB: z.number().int().default(512),
      /** A VM that has not said hello by then is killed, and the Run says so. */
      bootTimeoutMs: z.number().int().default(90_000),
      /** A VM that leaves a call unanswered this long is taken for hung (a program that stalls its kernel, say) and killed. */
      callTimeoutMs: z.number().int().min(1000).default(120_000),
      /** `auto` uses KVM where /dev/kvm really runs a stock guest, else TCG (software, ~10× slower). */
      accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
      /** Under TCG, QEMU's translated-code cache: its default (1 GiB) leaves ~90 MiB more resident per VM, for no speed measured here. */
      tcgCacheMiB: z.number().int().min(8).default(64),
      /** QEMU runs as this user (nobody by default), under its seccomp sandbox. */
      uid: z.number().int().default(65534),
      gid: z.number().int().default(65534),
    })
    .prefault({}),
  /**
   * The WebSocket takes only clients that know it: open the page as
   * /?token=…, or give the CLI PLAYGROUND_TOKEN. A room code for a workshop.
   * Left out (null), one is made on the first start and kept in dataDir
   * (`access-token`), and the start prints the page's link with it. `false`
   * turns it off: anyone who reaches the port may load programs.
   */
  accessToken: z
    .union([z.string().min(8), z.literal(false)])
    .nullable()
    .default(null),
  /** Extra Origins allowed to open the WebSocket, besides the page's own host. */
  allowedOrigins: z.array(z.string()).default([]),
  /** What may reach the kernel: checked on the compiled object before load. */
  policy: z
    .object({
      /** libbpf's program type names; tracing types by default. */
      programTypes: z.array(z.string()).default(['tracepoint', 'raw_tracepoint', 'kprobe', 'tracing', 'perf_event']),
      /** Also allow xdp, tc and socket programs. */
      networking: z.boolean().default(false),
      deniedHelpers: z
        .array(z.string())
        .default([
          'bpf_send_signal',
          'bpf_send_signal_thread',
          'bpf_override_return',
          'bpf_probe_write_user',
          'bpf_sys_bpf',
          'bpf_sys_close',
          'bpf_kallsyms_lookup_name',
        ]),
      deniedKfuncs: z.array(z.string()).default(['bpf_send_signal_task', 'bpf_throw']),
      // Real tools carry one program per syscall or per kernel function: objects of 40–100 programs are common.
      maxPrograms: z.number().int().default(128),
      maxMaps: z.number().int().default(32),
      maxInstructions: z.number().int().default(250_000),
      /**
       * Shrink a hash-like map or ring buffer that is over its limit (max_entries
       * down to the largest power of two that fits), as tools' loaders do, and say
       * so. false: refuse it instead.
       */
      shrinkMaps: z.boolean().default(true),
      maxMapBytes: z
        .number()
        .int()
        .default(16 * 1024 * 1024),
      maxRingbufBytes: z
        .number()
        .int()
        .default(4 * 1024 * 1024),
      maxSessionMapBytes: z
        .number()
        .int()
        .default(128 * 1024 * 1024),
    })
    .prefault({}),
  /**
   * What may reach a VM's kernel. What harms only the guest is allowed there:
   * lsm, networking types (on the guest's own interfaces), bpf_send_signal,
   * uprobes on the guest's binaries. The resource caps are the host's.
   */
  vmPolicy: z
    .object({
      programTypes: z.array(z.string()).default(['tracepoint', 'raw_tracepoint', 'kprobe', 'tracing', 'perf_event', 'lsm']),
      networking: z.boolean().default(true),
      deniedHelpers: z.array(z.string()).default(['bpf_override_return', 'bpf_sys_bpf', 'bpf_sys_close']),
      deniedKfuncs: z.array(z.string()).default(['bpf_throw']),
    })
    .prefault({}),
  limits: z
    .object({
      sourceBytes: z
        .number()
        .int()
        .default(64 * 1024),
      wsMaxPayloadBytes: z
        .number()
        .int()
        .default(128 * 1024),
      compileTimeoutMs: z.number().int().default(10_000),
      compileMemoryBytes: z
        .number()
        .int()
        .default(1024 * 1024 * 1024),
      /** Memory for compiled objects kept to skip the compiler when the same source runs again. */
      compileCacheBytes: z
        .number()
        .int()
        .default(256 * 1024 * 1024),
      /** Processes of the jail user (nobody) across all compiles at once. */
      compileProcesses: z.number().int().default(256),
      objectBytes: z
        .number()
        .int()
        .default(2 * 1024 * 1024),
      diagnosticsBytes: z
        .number()
        .int()
        .default(256 * 1024),
      verifierLogBytes: z
        .number()
        .int()
        .default(1024 * 1024),
      /** Compiles ahead a page may ask for (it asks when its user pauses typing): a rate and a burst. */
      preparesPerSecond: z.number().min(0.01).default(1),
      prepareBurst: z.number().int().min(1).default(3),
      /** Room messages (progress, files, hands, pushes) a session may send: a rate and a burst. */
      roomUpdatesPerSecond: z.number().min(0.01).default(5),
      roomUpdateBurst: z.number().int().min(1).default(20),
      /** People one workshop room takes. */
      roomParticipants: z.number().int().min(1).default(200),
      /** Verifier log buffers a load tries in turn, each after the log did not fit the one before. */
      verifierLogBuffers: z
        .array(z.number().int().min(4096))
        .min(1)
        .default([4 << 20, 32 << 20, 128 << 20]),
      /** Trace lines kept per session in the browser and the server's batch queue. */
      traceBatchLines: z.number().int().default(2000),
      traceLineBytes: z.number().int().default(1024),
      /** Entries of one map sent to the page; a bigger map is shown cut, with its count. */
      mapEntriesShown: z.number().int().default(10_000),
      mapIntervalMs: z.number().int().default(1000),
      /** Bytes queued on a WebSocket before trace batches are dropped (and counted). */
      wsHighWaterBytes: z
        .number()
        .int()
        .default(1024 * 1024),
      /** A dropped connection's session (and its program) waits this long for the client to come back. */
      sessionGraceMs: z.number().int().default(30_000),
      /** Time to send hello after connecting. */
      handshakeMs: z.number().int().default(5_000),
      /** With no request from the user for this long, the running program is stopped. */
      idleMs: z
        .number()
        .int()
        .default(10 * 60_000),
      /** A session's whole life; the page shows the countdown. */
      sessionLifetimeMs: z
        .number()
        .int()
        .default(2 * 60 * 60_000),
      maxSessions: z.number().int().default(100),
      /** Sessions from one client address (a room behind one NAT shares one: raise it for that). */
      sessionsPerClient: z.number().int().default(40),
      /** Kernel memory all sessions' maps on the host kernel may take together; null: a quarter of the host's memory. */
      hostKernelMemoryBytes: z.number().int().nullable().default(null),
      /** Run requests per session: this many per window. */
      runsPerWindow: z.number().int().default(5),
      runWindowMs: z.number().int().default(10_000),
      /** Trace lines per session per second, sustained, and the burst allowed above it. */
      traceLinesPerSecond: z.number().int().default(200),
      traceBurstLines: z.number().int().default(2_000),
      /** perf_event programs sample each CPU's software clock this many times a second (a profiler's rate). */
      perfEventFrequency: z.number().int().min(1).max(10_000).default(49),
      /** Ring buffer / perf buffer records forwarded per map per second; the rest are dropped and counted. */
      eventsPerSecond: z.number().int().default(1_000),
      /** Event messages the loader may have written that the backend has not taken yet; past it, records are dropped and counted. */
      eventSendsInFlight: z.number().int().min(1).default(64),
      /** Records, and bytes, the addon takes from the kernel in one pass; the rest waits in the kernel for the next. */
      eventPassRecords: z
        .number()
        .int()
        .min(1)
        .default(64 * 1024),
      eventPassBytes: z
        .number()
        .int()
        .min(4096)
        .default(16 * 1024 * 1024),
      /** A lesson check's workload is killed after this long. */
      workloadTimeoutMs: z.number().int().min(1000).default(15_000),
      /** A program that uses more than this share of one CPU over cpuWindowMs is detached. */
      cpuBudget: z.number().min(0).default(0.1),
      cpuWindowMs: z.number().int().default(5_000),
      /** A client over wsHighWaterBytes for this long is disconnected. */
      slowClientMs: z.number().int().default(30_000),
    })
    .prefault({}),
});
export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const file = env.PLAYGROUND_CONFIG ?? path.join(ROOT, 'playground.config.json');
  const fromFile = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const parsed = configSchema.safeParse(fromFile);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`);
  }
  const config = parsed.data;
  if (env.PORT) config.port = Number(env.PORT);
  if (env.HOST) config.host = env.HOST;
  return config;
}
