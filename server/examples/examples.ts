import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { exampleSchema, mapSeedSchema, type Example } from '../../protocol/messages.ts';
import { ROOT } from '../config.ts';

const EXAMPLES_DIR = path.join(ROOT, 'bpf', 'examples');

const indexSchema = z.array(
  z.object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    expect: z.string(),
    files: z.array(z.string()).min(1),
    seeds: z.array(mapSeedSchema),
    trigger: z.enum(['exec', 'open', 'none']),
  }),
);

/** The bundled examples (bpf/examples/examples.json), with their files read in. */
export function loadExamples(dir = EXAMPLES_DIR): Example[] {
  const index = indexSchema.parse(JSON.parse(readFileSync(path.join(dir, 'examples.json'), 'utf8')));
  return index.map((entry) =>
    exampleSchema.parse({
      ...entry,
      files: entry.files.map((name) => ({ name, content: readFileSync(path.join(dir, name), 'utf8') })),
    }),
  );
}
