// map_update and map_delete: user space writing into the running program's maps.
import { accept, refuse } from '../../protocol/replies.ts';
import type { ClientMessage } from '../../protocol/messages.ts';
import type { HandlerTable, SessionContext } from '../session/context.ts';
import { capitalize } from '../text.ts';

async function writeMap(session: SessionContext, message: Extract<ClientMessage, { type: 'map_update' | 'map_delete' }>) {
  const run = session.run;
  if (!run?.isLoaded) return refuse(message.id, { code: 'not_running', message: 'Maps can be changed while a program is loaded: press Run first.' });
  const problem =
    message.type === 'map_update' ? await run.maps.writeEntry(message.map, message.key, message.value) : await run.maps.deleteEntry(message.map, message.key);
  return problem ? refuse(message.id, { code: 'map_error', message: capitalize(problem) }) : accept(message.id, message.type, {});
}

export const mapHandlers = {
  map_update: writeMap,
  map_delete: writeMap,
  set_map_interval: (session, message) => {
    session.run?.maps.setInterval(message.ms);
    return accept(message.id, 'set_map_interval', {});
  },
} satisfies HandlerTable;
