// A BTF type, described for entry forms and decoders.
import { z } from 'zod';

/**
 * A compact BTF type tree for rendering and validating entry forms (the
 * server's `describeType`). Pointers are not followed; `opaque` stands for
 * void, forward declarations and types nested in themselves.
 */
export const typeDescSchema: z.ZodType<TypeDesc> = z.lazy(() =>
  z.object({
    kind: z.enum(['int', 'bool', 'float', 'enum', 'pointer', 'array', 'struct', 'union', 'datasec', 'opaque']),
    name: z.string(),
    size: z.number().optional(),
    signed: z.boolean().optional(),
    bits: z.number().optional(),
    enumerators: z.array(z.object({ name: z.string(), value: z.union([z.number(), z.string()]) })).optional(),
    target: z.string().optional(),
    length: z.number().optional(),
    /** A char array, shown and entered as a string. */
    text: z.boolean().optional(),
    elem: typeDescSchema.optional(),
    fields: z
      .array(
        z.object({
          name: z.string(),
          offset: z.number(),
          bitOffset: z.number().optional(),
          bits: z.number().optional(),
          type: typeDescSchema,
        }),
      )
      .optional(),
    reason: z.string().optional(),
  }),
);
export interface TypeDesc {
  kind: 'int' | 'bool' | 'float' | 'enum' | 'pointer' | 'array' | 'struct' | 'union' | 'datasec' | 'opaque';
  name: string;
  size?: number;
  signed?: boolean;
  bits?: number;
  enumerators?: { name: string; value: number | string }[];
  target?: string;
  length?: number;
  text?: boolean;
  elem?: TypeDesc;
  fields?: { name: string; offset: number; bitOffset?: number; bits?: number; type: TypeDesc }[];
  reason?: string;
}
