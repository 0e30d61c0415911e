// The user's program as it travels: its files, the map seeds user space writes, and the bundled examples.
import { z } from 'zod';
import { jsonSchema } from './json.ts';

/** A file name the compile accepts: letters, digits, _ . -, not starting with . or -, ending in .c or .h. */
export const SOURCE_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Files in one program. */
export const MAX_SOURCE_FILES = 16;

export const sourceFileSchema = z.object({
  name: z.string().min(1).max(64),
  content: z.string(),
});
export type SourceFile = z.infer<typeof sourceFileSchema>;

/** An entry user space writes into a map after load and before attach. */
export const mapSeedSchema = z.object({
  map: z.string().min(1).max(64),
  key: jsonSchema,
  value: jsonSchema,
});
export type MapSeed = z.infer<typeof mapSeedSchema>;

export const exampleSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  /** What the Output pane should show, and how to make it happen. */
  expect: z.string(),
  files: z.array(sourceFileSchema),
  seeds: z.array(mapSeedSchema),
  /** Which trigger button helps: run a program, or open a file. */
  trigger: z.enum(['exec', 'open', 'none']),
});
export type Example = z.infer<typeof exampleSchema>;
