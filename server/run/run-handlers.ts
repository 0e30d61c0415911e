// run, stop, prepare, inspect, trigger, set_event_type: a session's program and what it shows.
import { accept, refuse } from '../../protocol/replies.ts';
import type { HandlerTable } from '../session/context.ts';
import { capitalize } from '../text.ts';

export const runHandlers = {
  run: (session, message) =>
    session.startRun(message.id, message.files, message.seeds, message.kernel, { attach: message.attach, verifierLevel: message.verifierLevel }),
  prepare: (session, message) => session.prepare(message.id, message.files, message.kernel),
  stop: async (session, message) =>
    (await session.stopRun()) ? accept(message.id, 'stop', {}) : refuse(message.id, { code: 'not_running', message: 'Nothing is running.' }),
  inspect: (session, message) => {
    if (!session.run) return refuse(message.id, { code: 'not_running', message: 'Press Run first: Inspect shows what the last Run built.' });
    session.run.requestInspect();
    return accept(message.id, 'inspect', {});
  },
  trigger: (session, message) => {
    // Where the program's kernel is: the host, or the session's VM.
    (session.side ?? session.deps.kernels.default?.open())?.trigger(message.what);
    return accept(message.id, 'trigger', {});
  },
  set_event_type: (session, message) => {
    if (!session.run) return refuse(message.id, { code: 'not_running', message: 'Nothing is running.' });
    const problem = session.run.events.setType(message.map, message.typeName);
    return problem ? refuse(message.id, { code: 'bad_request', message: capitalize(problem) }) : accept(message.id, 'set_event_type', {});
  },
} satisfies HandlerTable;
