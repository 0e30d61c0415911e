import type { Example } from '../../../protocol/messages.ts';
import type { PlaygroundClient } from '../connection/playground-client.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import { usePerConnection } from '../connection/use-per-connection.ts';

const fetchExamples = (client: PlaygroundClient) => client.examples();

/** The server's examples. */
export function useExamples(handle: ClientHandle): Example[] | null {
  return usePerConnection(handle, fetchExamples);
}
