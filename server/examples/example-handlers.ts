// get_examples: the bundled example programs, read from bpf/examples.
import { accept } from '../../protocol/replies.ts';
import type { HandlerTable } from '../session/context.ts';
import { loadExamples } from './examples.ts';

export const exampleHandlers = {
  get_examples: (_session, message) => accept(message.id, 'get_examples', { examples: loadExamples() }),
} satisfies HandlerTable;
