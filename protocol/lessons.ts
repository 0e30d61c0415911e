// The course: what a check starts (a workload), what it judges (a check spec), and a lesson as the page shows it.
import { z } from 'zod';
import { mapSeedSchema, sourceFileSchema } from './sources.ts';

/** A number, or "${fact}": a value the workload chose at random for this check (its pid, a count…). */
const factNumber = z.union([z.number(), z.string().regex(/^\$\{\w+\}$/)]);
/** A number, a string, or a "${fact}"; strings may embed facts ("ppid=${pid}"). */
const factValue = z.union([z.number(), z.string().max(256)]);

/**
 * What a lesson's check starts, in a fresh child process, while the program
 * is attached. Only these kinds exist: a lesson (or a CLI user) names one and
 * its count range; the server picks the random values.
 */
export const workloadSpecSchema = z.object({
  kind: z.enum(['exec', 'kill', 'open', 'sleep']),
  count: z.tuple([z.number().int().min(1).max(50), z.number().int().min(1).max(50)]),
});
export type WorkloadSpec = z.infer<typeof workloadSpecSchema>;

export const checkSpecSchema: z.ZodType<CheckSpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('trace'), from: z.enum(['workload', 'any']), contains: z.string().max(256), atLeast: factNumber }),
    z.object({
      kind: z.literal('map_entry'),
      map: z.string().max(64).optional(),
      key: factValue,
      value: z.union([z.object({ equals: factNumber }), z.object({ atLeast: factNumber })]),
    }),
    z.object({ kind: z.literal('map_grows'), map: z.string().max(64).optional(), atLeast: factNumber }),
    z.object({ kind: z.literal('event'), includes: z.array(factValue).min(1).max(8) }),
    z.object({ kind: z.literal('histogram'), map: z.string().max(64).optional(), bucket: factNumber, atLeast: factNumber }),
    z.object({ kind: z.literal('all'), checks: z.array(checkSpecSchema).min(1).max(8) }),
  ]),
);
type FactNumber = number | string;
export type CheckSpec =
  | { kind: 'trace'; from: 'workload' | 'any'; contains: string; atLeast: FactNumber }
  | { kind: 'map_entry'; map?: string; key: FactNumber; value: { equals: FactNumber } | { atLeast: FactNumber } }
  | { kind: 'map_grows'; map?: string; atLeast: FactNumber }
  | { kind: 'event'; includes: FactNumber[] }
  | { kind: 'histogram'; map?: string; bucket: FactNumber; atLeast: FactNumber }
  | { kind: 'all'; checks: CheckSpec[] };

/** A lesson as the page shows it: its text in steps, hints, and starter files. Its solution stays on the server. */
export const lessonSchema = z.object({
  name: z.string(),
  title: z.string(),
  summary: z.string(),
  /** The Markdown text, cut at its `## ` headings. */
  steps: z.array(z.object({ title: z.string(), markdown: z.string() })),
  hints: z.array(z.string()),
  files: z.array(sourceFileSchema),
  seeds: z.array(mapSeedSchema),
  workload: workloadSpecSchema,
  /** What a map's histogram buckets count, by map name (`{"hist": "µs"}`), for the chart's axis. */
  histogramUnits: z.record(z.string(), z.string().min(1).max(16)).optional(),
});
export type Lesson = z.infer<typeof lessonSchema>;

/** A course: its lessons in order. Its name (the course's folder) is how the page remembers which course it shows. */
export const courseSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  lessons: z.array(lessonSchema),
});
export type Course = z.infer<typeof courseSchema>;

/** What the check's workload chose at random, shown with the result. */
export const workloadFactsSchema = z.record(z.string(), z.union([z.number(), z.string()]));
export type WorkloadFacts = z.infer<typeof workloadFactsSchema>;
