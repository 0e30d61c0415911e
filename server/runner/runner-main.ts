/**
 * A session's runner process on the host kernel: serves the loader over
 * Node's IPC channel. Only a runner loads the native addon, so a crash in
 * libbpf or the kernel interface ends one session's runner, never the backend.
 */
import { asRunnerError, createLoader } from './loader.ts';
import type { RunnerReply, RunnerRequest } from './runner-protocol.ts';

const loader = createLoader({
  send(notice, done) {
    if (!process.connected) return false;
    process.send!(notice, undefined, {}, done);
    return true;
  },
});

process.on('message', async (request: RunnerRequest) => {
  let reply: RunnerReply;
  try {
    const handler = loader[request.op] as (args: unknown) => unknown;
    reply = { id: request.id, ok: true, result: await handler(request.args) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: asRunnerError(error) };
  }
  // The backend may be gone by the time a load finishes; then there is no one to tell.
  if (process.connected) process.send!(reply, undefined, {}, () => {});
});

// The backend went away: nothing may outlive it.
process.on('disconnect', () => process.exit(0));
// A backend that closes while this runner starts (a warm spare, at shutdown) has no one to greet.
if (process.connected) process.send!({ id: 0, ok: true, result: 'ready' }, undefined, {}, () => {});
else process.exit(0);
