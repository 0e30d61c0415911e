// JSON values as the BTF codecs produce them: the currency of map keys, values and seeds.
import { z } from 'zod';

/** A JSON value as the BTF decoder produces it: numbers, strings ("0x…" pointers, big u64s), arrays, objects. */
export const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]),
);
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
