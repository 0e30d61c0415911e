// What a reconnecting client needs to see a Run again: every message it sent, but only the
// latest state, stats and maps (trace lines and events are not kept).
import type { MapSnapshot, ServerMessage } from '../../protocol/messages.ts';

/** Messages a reconnecting client needs only the latest of. */
const LATEST_ONLY = new Set<ServerMessage['type']>(['maps', 'run_state', 'stats']);

export class RunHistory {
  readonly messages: ServerMessage[] = [];

  /** Keeps `message`; `wholeMaps` gives every map whole, since a new client has nothing to apply deltas to. */
  record(message: ServerMessage, wholeMaps: () => MapSnapshot[]): void {
    const replaced = LATEST_ONLY.has(message.type) ? this.messages.findIndex((m) => m.type === message.type) : -1;
    if (replaced >= 0) this.messages.splice(replaced, 1);
    this.messages.push(message.type === 'maps' ? { ...message, maps: wholeMaps() } : message);
  }
}
