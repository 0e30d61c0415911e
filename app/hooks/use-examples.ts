import { useEffect, useState } from 'react';
import type { Example } from '../../protocol/messages.ts';
import type { ClientHandle } from './use-playground-client.ts';

/** The server's examples, asked for again after each (re)connect. */
export function useExamples({ client, welcomes }: ClientHandle): Example[] | null {
  const [examples, setExamples] = useState<Example[] | null>(null);
  useEffect(() => {
    if (!client || !welcomes) return;
    let live = true;
    void client.examples().then((list) => {
      if (live && list) setExamples(list);
    });
    return () => {
      live = false;
    };
  }, [client, welcomes]);
  return examples;
}
