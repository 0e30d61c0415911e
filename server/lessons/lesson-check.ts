import type { CheckSpec, Json, MapSnapshot, TraceLine, WorkloadFacts, WorkloadSpec } from '../../protocol/messages.ts';
import { evaluateCheck, type CheckVerdict } from './check.ts';
import { runWorkload } from './workload.ts';

/** How a check watches one session's running program. */
export interface CheckProbe {
  /** Every map, read whole. */
  readMaps(): Promise<MapSnapshot[]>;
  /** Calls back with trace lines and decoded records until the returned function is called. */
  watch(onTrace: (lines: TraceLine[]) => void, onRecords: (values: (Json | null)[]) => void): () => void;
}

/** Trace lines reach the session ~20 ms after printing; this leaves room for a loaded machine. */
const SETTLE_MS = 400;

/**
 * One press of Check: read the maps, start the workload, collect what the
 * program printed and sent while it ran, read the maps again, and judge.
 */
export async function checkRunningProgram(spec: { workload: WorkloadSpec; check: CheckSpec }, probe: CheckProbe): Promise<CheckVerdict & { facts: WorkloadFacts }> {
  const trace: TraceLine[] = [];
  const events: (Json | null)[] = [];
  const mapsBefore = await probe.readMaps();
  const unwatch = probe.watch(
    (lines) => trace.push(...lines),
    (values) => events.push(...values),
  );
  let facts: WorkloadFacts;
  try {
    facts = await runWorkload(spec.workload);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  } finally {
    unwatch();
  }
  const mapsAfter = await probe.readMaps();
  return { ...evaluateCheck(spec.check, { trace, events, mapsBefore, mapsAfter }, facts), facts };
}
