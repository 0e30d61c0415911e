// Every request type and the feature that answers it.
import { exampleHandlers } from '../examples/example-handlers.ts';
import { exportHandlers } from '../export/export-handler.ts';
import { lessonHandlers } from '../lessons/lesson-handlers.ts';
import { mapHandlers } from '../maps/map-handlers.ts';
import { roomHandlers } from '../rooms/room-handlers.ts';
import { runHandlers } from '../run/run-handlers.ts';
import { shareHandlers } from '../share/share-handlers.ts';
import type { ClientMessage } from '../../protocol/messages.ts';
import type { Handler } from './context.ts';

/** Every request but hello (the door's, in ws-server.ts) has its handler: the compiler checks that none is missing. */
export const handlers: { [T in Exclude<ClientMessage['type'], 'hello'>]: Handler<T> } = {
  ...exampleHandlers,
  ...runHandlers,
  ...mapHandlers,
  ...shareHandlers,
  ...exportHandlers,
  ...lessonHandlers,
  ...roomHandlers,
};
