/**
 * The loader: what a session's runner process does with its BPF object, for
 * whoever carries the calls. The host runner (runner-main.ts) serves it over
 * Node's IPC; the guest agent (sandbox/guest/agent-main.ts) over a VM's
 * virtio-serial port. When the process holding it dies, for any reason, the
 * kernel closes its fds and so detaches and frees everything it loaded.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BpfError, Collection, UpdateFlags } from '../../native/index.ts';
import { findAttachTargets } from './attach-targets.ts';
import { startTarget } from './target-program.ts';
import type { RunnerCalls, RunnerError, RunnerEvents, RunnerOp } from './runner-protocol.ts';

/** How records leave the process: `send` returns false when there is no one to send to; `done` is called once the message is written. */
export interface NoticeSink {
  send(notice: RunnerEvents, done: () => void): boolean;
}

export type LoaderHandlers = { [K in RunnerOp]: (args: RunnerCalls[K]['args']) => Promise<RunnerCalls[K]['result']> | RunnerCalls[K]['result'] };

export function createLoader(sink: NoticeSink): LoaderHandlers {
  let collection: Collection | null = null;
  let stopConsumers: Array<() => void> = [];
  let sendsInFlight = 0;

  /** A digest of each map's last "if changed" dump, to answer "unchanged" (see the dump call). */
  const lastDumps = new Map<string, string>();

  /** The minimal BTF of the open object, in a file already unlinked: libbpf reads it through /proc/self/fd at load. */
  let btfFd: number | null = null;

  /** The Run's copy of the target program, stopped with its object. */
  let stopTarget: (() => void) | null = null;

  function closeCollection(): void {
    stopTarget?.();
    stopTarget = null;
    for (const stop of stopConsumers) stop();
    stopConsumers = [];
    collection?.close();
    collection = null;
    if (btfFd !== null) closeSync(btfFd);
    btfFd = null;
    lastDumps.clear();
  }

  /** A path to these bytes that nothing else can see and that vanishes with this process. */
  function privateFile(bytes: Uint8Array): string {
    const file = path.join(tmpdir(), `pg-runner-${process.pid}.btf`);
    btfFd = openSync(file, 'w+', 0o600);
    unlinkSync(file);
    writeSync(btfFd, bytes);
    return `/proc/self/fd/${btfFd}`;
  }

  /**
   * Sends records on, within the rate and while the channel keeps up; counts the
   * rest. A count of dropped records goes out with the next records sent, or at
   * the end of the second when nothing more is sent, so no drop goes unreported.
   */
  /** Past `sendsInFlight` messages written but not yet taken by the backend, records are dropped (and counted). */
  function forwarder(map: string, maxPerSecond: number, sendsInFlightCap: number): (batch: { records: Buffer[]; lost: number }) => void {
    let windowStart = Date.now();
    let sentInWindow = 0;
    let dropped = 0;
    let lost = 0;
    let flushTimer: NodeJS.Timeout | null = null;
    const send = (records: Buffer[]) => {
      const notice: RunnerEvents = { kind: 'events', map, records, lost, dropped };
      lost = 0;
      dropped = 0;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      sendsInFlight++;
      if (!sink.send(notice, () => sendsInFlight--)) sendsInFlight--;
    };
    return ({ records, lost: newlyLost }) => {
      lost += newlyLost;
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        sentInWindow = 0;
      }
      const room = sendsInFlight >= sendsInFlightCap ? 0 : Math.max(0, maxPerSecond - sentInWindow);
      const kept = records.length > room ? records.slice(0, room) : records;
      dropped += records.length - kept.length;
      if (kept.length || lost) {
        sentInWindow += kept.length;
        send(kept);
      } else if (dropped && !flushTimer) {
        flushTimer = setTimeout(() => send([]), Math.max(0, windowStart + 1000 - now));
        flushTimer.unref();
      }
    };
  }

  function current(): Collection {
    if (!collection) throw new BpfError('no program is loaded in this session', { errno: 9, code: 'ENOTLOADED' });
    return collection;
  }

  return {
    open({ object, name, logSize, logLevel, btf }) {
      closeCollection();
      const btfPath = btf ? privateFile(btf) : undefined;
      const opened = Collection.open(Buffer.from(object.buffer, object.byteOffset, object.byteLength), { name, logSize, logLevel, btfPath });
      collection = opened;
      const programs = opened.programs();
      const instructions = Object.fromEntries(programs.map((p) => [p.name, opened.instructions(p.name)]));
      return { programs, instructions, maps: opened.maps(), btf: opened.btf(), possibleCpus: Collection.possibleCpus() };
    },
    async load() {
      const c = current();
      const loaded = await c.load();
      // Run-time accounting, for the CPU budget; a kernel that refuses it just reports zeros.
      try {
        c.enableStats();
      } catch {
        // Older kernels have no BPF_ENABLE_STATS.
      }
      return { ...loaded, programs: c.programs(), maps: c.maps() };
    },
    findTargets({ targets }) {
      return findAttachTargets(targets);
    },
    adjust({ maxEntries, valueSize, skipPrograms }) {
      const c = current();
      for (const { map, entries } of maxEntries) c.setMaxEntries(map, entries);
      for (const { map, bytes } of valueSize) c.setValueSize(map, bytes);
      for (const program of skipPrograms) c.setAutoload(program, false);
      return { programs: c.programs(), maps: c.maps() };
    },
    attachAll({ perfFrequency, perfEvent, userProbes = [], target = '', skip = [] }) {
      const c = current();
      const started = userProbes.some((p) => p.binary === 'target' || p.pid === 'target') ? startTarget(target) : null;
      if (started) stopTarget = started.stop;
      const probed = userProbes.map((plan) => {
        const binary = plan.binary === 'target' ? started!.binary : plan.binary;
        const pid = plan.pid === 'target' ? started!.pid : plan.pid;
        return plan.kind === 'uprobe'
          ? c.attachUprobe(plan.program, { binary, functionName: plan.functionName, retprobe: plan.retprobe, pid })
          : c.attachUsdt(plan.program, { binary, provider: plan.provider, name: plan.name, pid });
      });
      const results = c.attachAll({ perfFrequency, perfEvent, skip: [...skip, ...userProbes.map((p) => p.program)] });
      return { results: [...probed, ...results], programs: c.programs(), ...(started ? { targetPid: started.pid } : {}) };
    },
    update({ map, key, value, lock }) {
      current().update(map, Buffer.from(key), Buffer.from(value), lock ? UpdateFlags.LOCK : UpdateFlags.ANY);
      return null;
    },
    delete({ map, key }) {
      current().delete(map, Buffer.from(key));
      return null;
    },
    lookup({ map, key, lock }) {
      return current().lookup(map, Buffer.from(key), { lock });
    },
    peek({ map }) {
      return current().peek(map);
    },
    push({ map, value }) {
      current().push(map, Buffer.from(value));
      return null;
    },
    pop({ map }) {
      return current().pop(map);
    },
    async dump({ map, max, ifChanged, lock }) {
      const { keys, values, count, batched } = await current().dump(map, max, { lock });
      // A map that did not change costs the backend nothing: no copy over IPC, no decode, no diff.
      const digest = createHash('sha1').update(keys).update(values).update(String(count)).digest('base64');
      const same = lastDumps.get(map) === digest;
      // The baseline is what the last "if changed" read (the page's poll) saw: a whole read
      // for someone else (a lesson's check) must not make the next poll miss the change.
      if (ifChanged) lastDumps.set(map, digest);
      if (ifChanged && same) return { keys: new Uint8Array(), values: new Uint8Array(), count, batched, unchanged: true };
      return { keys, values, count, batched };
    },
    consume({ map, maxPerSecond, sendsInFlight: cap, passRecords, passBytes }) {
      stopConsumers.push(current().consume(map, forwarder(map, maxPerSecond, cap), { passRecords, passBytes }));
      return null;
    },
    initialValue({ map }) {
      return current().initialValue(map);
    },
    setInitialValue({ map, value }) {
      current().setInitialValue(map, Buffer.from(value));
      return null;
    },
    stats() {
      return current().programStats();
    },
    close() {
      closeCollection();
      return null;
    },
  };
}

/** A BpfError as data: the class does not cross a process boundary. */
export function asRunnerError(error: unknown): RunnerError {
  const e = error as Partial<BpfError> & Error;
  return {
    message: e.message,
    errno: e.errno ?? 0,
    code: e.code ?? 'EINTERNAL',
    verifierLog: e.verifierLog ?? null,
    libbpfLog: e.libbpfLog ?? '',
  };
}
