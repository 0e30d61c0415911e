import type { CheckSpec, Json, MapSnapshot, TraceLine, WorkloadFacts, WorkloadSpec } from '../../protocol/messages.ts';
import { evaluateCheck, type CheckVerdict } from './check.ts';
import { runWorkload, type WorkloadPlan, type WorkloadRun } from './workload.ts';

/** How a check watches one session's running program. */
export interface CheckProbe {
  /** Every map, read whole. */
  readMaps(): Promise<MapSnapshot[]>;
  /** Calls back with trace lines and decoded records until the returned function is called. */
  watch(onTrace: (lines: TraceLine[]) => void, onRecords: (values: (Json | null)[]) => void): () => void;
  /** Runs the workload where the program's kernel is: on the host, or in the session's VM. */
  runWorkload(plan: WorkloadPlan): Promise<WorkloadRun>;
  /** The workload is killed after this long (config `limits.workloadTimeoutMs`). */
  workloadTimeoutMs: number;
}

/**
 * Trace lines reach the session ~20 ms after printing, but a loaded machine
 * can hold them longer: after the workload the check looks again every
 * SETTLE_STEP_MS until it passes or SETTLE_MAX_MS have gone by.
 */
const SETTLE_STEP_MS = 150;
const SETTLE_MAX_MS = 2000;

/**
 * One press of Check: read the maps, start the workload, collect what the
 * program printed and sent while it ran and just after, read the maps again,
 * and judge. A verdict of "not yet" waits out the settle time first.
 */
export async function checkRunningProgram(
  spec: { workload: WorkloadSpec; check: CheckSpec },
  probe: CheckProbe,
): Promise<CheckVerdict & { facts: WorkloadFacts }> {
  const trace: TraceLine[] = [];
  const events: (Json | null)[] = [];
  const mapsBefore = await probe.readMaps();
  const unwatch = probe.watch(
    (lines) => trace.push(...lines),
    (values) => events.push(...values),
  );
  try {
    const facts = await runWorkload(spec.workload, (plan) => probe.runWorkload(plan), probe.workloadTimeoutMs);
    const deadline = performance.now() + SETTLE_MAX_MS;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_STEP_MS));
      const mapsAfter = await probe.readMaps();
      const verdict = evaluateCheck(spec.check, { trace, events, mapsBefore, mapsAfter }, facts);
      if (verdict.pass || performance.now() >= deadline) return { ...verdict, facts };
    }
  } finally {
    unwatch();
  }
}
