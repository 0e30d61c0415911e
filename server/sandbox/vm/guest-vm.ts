/**
 * One microVM: Debian's kernel, the read-only root image, and the agent in it
 * (sandbox/guest/agent-main.ts), reached over a virtio-serial port. QEMU runs
 * as an unprivileged user under its seccomp sandbox, in a cgroup of its own,
 * with no network device, and dies with the backend (parent-death signal).
 * The guest is treated as untrusted: what it sends is size-capped and
 * decoded defensively, and anything unreadable ends the VM with a reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { encodeFrame, FrameReader } from '../channel.ts';
import { AGENT_PORT, type GuestCalls, type GuestHello, type GuestMessage, type GuestOp, type GuestTrace } from '../guest/guest-protocol.ts';
import type { Loader } from '../sandbox.ts';
import type { RunnerEvents, RunnerReply } from '../../runner/runner-protocol.ts';
import { RunnerCallError } from '../../runner/runner.ts';
import { VmCgroup, type CgroupLimits } from './cgroup.ts';

/** A kernel's files, as scripts/build-guest.sh leaves them. */
export interface VmImage {
  vmlinuz: string;
  initrd: string;
  rootfs: string;
}

export interface VmOptions {
  accel: 'kvm' | 'tcg';
  vcpus: number;
  memoryMiB: number;
  uid: number;
  gid: number;
  bootTimeoutMs: number;
  callTimeoutMs: number;
  /** Under TCG: the translated-code cache, in MiB. */
  tcgCacheMiB: number;
  cgroup: CgroupLimits;
}

/** QEMU's whole environment: nothing of the backend's leaks through. */
const QEMU_ENV: Record<string, string> = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };

/** The last console output kept, to say why a guest died. */
const CONSOLE_TAIL_BYTES = 16 * 1024;

let vmsMade = 0;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class GuestVm implements Loader {
  /** Also its cgroup's name: the backend's pid, so a later start can tell its leftovers. */
  readonly id = `vm-${process.pid}-${++vmsMade}`;
  readonly bootStartedAt = performance.now();
  readonly ready: Promise<GuestHello['result']>;
  /** Milliseconds from spawn to the agent's hello, once it came. */
  bootMs: number | null = null;
  onExit: ((reason: string) => void) | null = null;
  onEvents: ((events: RunnerEvents) => void) | null = null;
  onTrace: ((trace: GuestTrace) => void) | null = null;

  private readonly child: ChildProcess;
  private readonly channel: Writable & Readable;
  private readonly cgroup: VmCgroup;
  private readonly pending = new Map<number, Pending>();
  private readonly callTimeoutMs: number;
  private nextId = 1;
  private exitReason: string | null = null;
  /** Why the backend ended it, when it did: that, not the signal, is the reason. */
  private killedBecause: string | null = null;
  private consoleTail = '';
  private bootTimer: NodeJS.Timeout | null;
  private readonly readyCallbacks: { markReady: (hello: GuestHello['result']) => void; markFailed: (error: Error) => void };

  constructor(image: VmImage, options: VmOptions) {
    this.callTimeoutMs = options.callTimeoutMs;
    this.cgroup = new VmCgroup(this.id, options.cgroup);
    // Opened here, as root, and handed over: QEMU (as nobody) needs no path to them.
    const files = [image.vmlinuz, image.initrd, image.rootfs].map((file) => openSync(file, 'r'));
    const qemu = qemuArgs(options);
    const credentials = [`--reuid=${options.uid}`, `--regid=${options.gid}`, ...groupsFor(options.accel)];
    // The shell joins the cgroup and execs setpriv, which drops to nobody and sets the
    // parent-death signal last (a credential change would clear it), then execs QEMU.
    const script = `${this.cgroup.joinCommand()} && exec setpriv ${credentials.join(' ')} --pdeathsig KILL -- qemu-system-x86_64 "$@"`;
    this.child = spawn('/bin/sh', ['-c', script, 'sh', ...qemu], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...files],
      env: QEMU_ENV as NodeJS.ProcessEnv,
    });
    for (const fd of files) closeSync(fd);
    this.channel = this.child.stdio[3] as Writable & Readable;

    const reader = new FrameReader(
      (message) => this.onMessage(message as GuestMessage),
      (why) => this.kill(`it sent ${why}`),
    );
    this.channel.on('data', (chunk: Buffer) => reader.push(chunk));
    this.channel.on('error', () => {});
    const keepConsole = (chunk: Buffer) => {
      this.consoleTail = (this.consoleTail + chunk.toString('utf8')).slice(-CONSOLE_TAIL_BYTES);
    };
    this.child.stdout!.on('data', keepConsole);
    this.child.stderr!.on('data', keepConsole);

    let markReady: (hello: GuestHello['result']) => void = () => {};
    let markFailed: (error: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.ready.catch(() => {});
    this.readyCallbacks = { markReady, markFailed };
    this.bootTimer = setTimeout(() => this.kill(`it did not boot within ${Math.round(options.bootTimeoutMs / 1000)} s`), options.bootTimeoutMs);

    this.child.once('exit', (code, signal) => {
      if (this.bootTimer) clearTimeout(this.bootTimer);
      this.exitReason = this.killedBecause ?? this.explainExit(code, signal);
      const error = new RunnerCallError({
        message: `the session's VM stopped (${this.exitReason})`,
        errno: 0,
        code: 'ERUNNER',
        verifierLog: null,
        libbpfLog: '',
      });
      markFailed(error);
      for (const { reject, timer } of this.pending.values()) {
        clearTimeout(timer);
        reject(error);
      }
      this.pending.clear();
      this.cgroup.remove();
      for (const listener of this.exitListeners) listener(this.exitReason);
      this.onExit?.(this.exitReason);
    });
  }

  private readonly exitListeners: ((reason: string) => void)[] = [];
  /** For bookkeeping (the pool's): called on exit before `onExit`, which belongs to the VM's user. */
  whenExited(listener: (reason: string) => void): void {
    if (this.exitReason !== null) listener(this.exitReason);
    else this.exitListeners.push(listener);
  }

  get alive(): boolean {
    return this.exitReason === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The guest's console, last lines first cut: for tests and for reasons. */
  get console(): string {
    return this.consoleTail;
  }

  async call<K extends GuestOp>(op: K, args: GuestCalls[K]['args']): Promise<GuestCalls[K]['result']> {
    await this.ready;
    if (!this.alive) {
      throw new RunnerCallError({ message: `the session's VM stopped (${this.exitReason})`, errno: 0, code: 'ERUNNER', verifierLog: null, libbpfLog: '' });
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A guest that stops answering (its kernel stalled by a program, say) is ended, not waited for.
      const timer = setTimeout(
        () => this.kill(`it stopped answering: no reply to ${op} within ${Math.round(this.callTimeoutMs / 1000)} s`),
        this.callTimeoutMs,
      );
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.channel.write(encodeFrame({ id, op, args }));
    });
  }

  /** Ends the VM at once; `because` becomes the reason the session is given. */
  kill(because?: string): void {
    if (!this.alive) return;
    this.killedBecause ??= because ?? 'it was stopped';
    this.child.kill('SIGKILL');
  }

  private onMessage(message: GuestMessage): void {
    if (typeof message !== 'object' || message === null) return this.kill('it sent a message that is not an object');
    if ('kind' in message) {
      if (message.kind === 'events' && Array.isArray(message.records)) return this.onEvents?.(message);
      if (message.kind === 'trace' && typeof message.text === 'string') return this.onTrace?.(message);
      return this.kill(`it sent a notice of an unknown kind`);
    }
    const reply = message as RunnerReply;
    if (typeof reply.id !== 'number') return this.kill('it sent a reply without an id');
    if (reply.id === 0) {
      if (this.bootTimer) clearTimeout(this.bootTimer);
      this.bootTimer = null;
      this.bootMs = Math.round(performance.now() - this.bootStartedAt);
      const hello = (reply as unknown as GuestHello).result;
      return this.readyCallbacks.markReady({ release: String(hello?.release ?? ''), version: String(hello?.version ?? '') });
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new RunnerCallError(reply.error));
  }

  /** Why QEMU ended, from what the guest printed last. */
  private explainExit(code: number | null, signal: NodeJS.Signals | null): string {
    const tail = this.consoleTail;
    const panic = /Kernel panic - not syncing: ([^\r\n]*)/.exec(tail);
    if (panic) {
      const oom = /Out of memory|oom-kill|System is deadlocked on memory/.test(tail);
      return oom ? `the guest ran out of memory and its kernel stopped (${panic[1]!.trim()})` : `the guest kernel panicked: ${panic[1]!.trim()}`;
    }
    if (/pg-guest: agent exited/.test(tail))
      return /Out of memory|oom-kill|Killed process/.test(tail) ? 'the guest ran out of memory and its agent was killed' : "the guest's agent stopped";
    if (/pg-guest: the root image did not mount/.test(tail)) return 'it did not boot: its root image did not mount';
    if (signal) return `QEMU was killed by ${signal}`;
    const qemuError = /qemu-system-x86_64: ([^\r\n]*)/.exec(tail);
    if (qemuError) return `QEMU could not start it: ${qemuError[1]}`;
    return `QEMU exited with code ${code}`;
  }
}

function qemuArgs(options: VmOptions): string[] {
  return [
    '-machine',
    'q35',
    // TCG's translated-code cache is 1 GiB by default, and a guest's touched part of it stays resident.
    ...(options.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', `tcg,tb-size=${options.tcgCacheMiB}`]),
    '-m',
    String(options.memoryMiB),
    '-smp',
    String(options.vcpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    // No network device at all: -nodefaults adds none, and none is asked for.
    '-kernel',
    '/proc/self/fd/4',
    '-initrd',
    '/proc/self/fd/5',
    '-append',
    'console=ttyS0 quiet panic=-1 oops=panic',
    '-serial',
    'stdio',
    '-drive',
    'file=/proc/self/fd/6,if=none,id=root,format=raw,readonly=on',
    '-device',
    'virtio-blk-pci,drive=root',
    '-device',
    'virtio-serial-pci',
    '-chardev',
    'socket,id=agent,fd=3',
    '-device',
    `virtserialport,chardev=agent,name=${AGENT_PORT}`,
    '-sandbox',
    'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
  ];
}

/** Under KVM, QEMU needs /dev/kvm's group; otherwise no supplementary group at all. */
function groupsFor(accel: 'kvm' | 'tcg'): string[] {
  if (accel !== 'kvm') return ['--clear-groups'];
  return [`--groups=${statSync('/dev/kvm').gid}`];
}
