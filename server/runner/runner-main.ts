/**
 * A session's runner process: owns the session's loaded BPF object and does
 * what the backend asks over IPC. When this process dies, for any reason, the
 * kernel closes its fds and so detaches and frees everything it loaded.
 */
import { BpfError, Collection } from '../../native/index.ts';
import type { RunnerCalls, RunnerError, RunnerOp, RunnerReply, RunnerRequest } from './runner-protocol.ts';

let collection: Collection | null = null;

function current(): Collection {
  if (!collection) throw new BpfError('no program is loaded in this session', { errno: 9, code: 'ENOTLOADED' });
  return collection;
}

type Handlers = { [K in RunnerOp]: (args: RunnerCalls[K]['args']) => Promise<RunnerCalls[K]['result']> | RunnerCalls[K]['result'] };

const handlers: Handlers = {
  open({ object, name, logSize }) {
    collection?.close();
    collection = null;
    const opened = Collection.open(Buffer.from(object.buffer, object.byteOffset, object.byteLength), { name, logSize });
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
  attachAll() {
    const c = current();
    const results = c.attachAll();
    return { results, programs: c.programs() };
  },
  update({ map, key, value }) {
    current().update(map, Buffer.from(key), Buffer.from(value));
    return null;
  },
  delete({ map, key }) {
    current().delete(map, Buffer.from(key));
    return null;
  },
  async dump({ map, max }) {
    const { keys, values, count } = await current().dump(map, max);
    return { keys, values, count };
  },
  stats() {
    return current().programStats();
  },
  close() {
    collection?.close();
    collection = null;
    return null;
  },
};

function asRunnerError(error: unknown): RunnerError {
  const e = error as Partial<BpfError> & Error;
  return {
    message: e.message,
    errno: e.errno ?? 0,
    code: e.code ?? 'EINTERNAL',
    verifierLog: e.verifierLog ?? null,
    libbpfLog: e.libbpfLog ?? '',
  };
}

process.on('message', async (request: RunnerRequest) => {
  let reply: RunnerReply;
  try {
    const handler = handlers[request.op] as (args: unknown) => unknown;
    reply = { id: request.id, ok: true, result: await handler(request.args) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: asRunnerError(error) };
  }
  // The backend may be gone by the time a load finishes; then there is no one to tell.
  if (process.connected) process.send!(reply, undefined, {}, () => {});
});

// The backend went away: nothing may outlive it.
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, ok: true, result: 'ready' });
