import { perfEventName, type ProgramMeta } from '../../protocol/run.ts';
import type { RemoteRunReport } from './remote-run.ts';
import type { ControlFlow } from '../../protocol/verifier-flow.ts';
import { figureParts, type VerifierWalk } from '../../protocol/verifier-steps.ts';

/** One line per program: what happened to it, and why when it is not running. */
export function programLine(program: ProgramMeta): string {
  const name = `${program.name} (${program.section})`;
  // The sentence starts with the section, which the line already names.
  if (program.notLoaded) return `  skipped      ${name}: ${program.notLoaded.replace(`${program.section}: `, '')}`;
  if (!program.attached) return `  not attached ${name}${program.attachError ? `: ${program.attachError}` : ''}`;
  const where = program.cpus ? `, sampling ${perfEventName(program.perfEvent)} of ${program.cpus} CPU${program.cpus === 1 ? '' : 's'}` : '';
  const verified = program.verifier
    ? `; verifier: ${figureParts(program.verifier).join(', ')}`
    : program.verifiedInstructions
      ? `; the verifier processed ${program.verifiedInstructions} instructions`
      : '';
  return `  attached     ${name}${where}${verified}`;
}

/** The blocks in one line: `blocks: 0-8 → 9-11 → 19-24 ✗`, those on the path to a rejection joined by arrows. */
function flowLine(flow: ControlFlow): string {
  const onPath = new Set(flow.edges.filter((e) => e.onFailurePath).flatMap((e) => [e.from, e.to]));
  const name = (b: ControlFlow['blocks'][number]) => (b.first === b.last ? `${b.first}` : `${b.first}-${b.last}`);
  if (!onPath.size) return `blocks: ${flow.blocks.map(name).join(', ')}`;
  const path = flow.blocks.filter((_, i) => onPath.has(i)).map(name);
  return `blocks: ${flow.blocks.length}; the path to the rejection: ${path.join(' → ')} ✗`;
}

/** The verifier's walk, one line per step: instruction, C line, what changed. */
function walkLines(walk: VerifierWalk): string[] {
  const f = walk.figures;
  const lines = [
    `verifier: ${walk.steps.length} steps${f ? `, ${f.processedInsns} instructions processed, ${f.totalStates} states (peak ${f.peakStates})` : ''}`,
  ];
  for (const [i, step] of walk.steps.entries()) {
    const where = step.source ? `${step.source.file}:${step.source.line}` : '';
    const changed = step.changed.map((name) => `${name}=${step.state.find((s) => s.name === name)?.text ?? '?'}`).join(' ');
    const branch = step.from !== undefined ? ` (from the branch at ${step.from})` : '';
    lines.push(`  ${String(step.insn).padStart(4)}: ${step.asm.padEnd(36)} ${where.padEnd(20)} ${changed}${branch}`.trimEnd());
    if (walk.failure?.step === i) lines.push(`        ✗ ${walk.failure.message}`);
  }
  for (const p of walk.pruned) lines.push(`  pruned: the branch from ${p.from} to ${p.to} (a state seen before)`);
  return lines;
}

/** What `ebpf-playground run` prints without --json: a person's reading of the report. */
export function humanReport(report: RemoteRunReport): string {
  const out: string[] = [];
  for (const d of report.diagnostics) out.push(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`);
  if (!report.ok && report.verifierLog) out.push('--- verifier log ---', report.verifierLog.trimEnd(), '---');
  if (report.explanation) out.push(`${report.explanation.summary}`, `hint: ${report.explanation.hint}`);
  if (report.error) out.push(`${report.stage} failed: ${report.error.message}`);
  // A program left out is said on its own line below, with the others.
  for (const change of report.changes) if (change.kind === 'map') out.push(`changed: ${change.message}`);
  const running = report.programs.filter((p) => p.attached).length;
  // One program that attached needs no list; anything else (several, or one that did not) is listed whole.
  if (report.programs.length > 1 || report.programs.some((p) => !p.attached)) {
    out.push(`programs: ${running} of ${report.programs.length} attached`, ...report.programs.map(programLine));
  }
  if (report.verifierSteps) out.push(...walkLines(report.verifierSteps));
  if (report.verifierFlow && report.verifierFlow.blocks.length > 1) out.push(flowLine(report.verifierFlow));
  for (const line of report.trace) out.push(line);
  for (const event of report.events) out.push(`event ${JSON.stringify(event)}`);
  for (const [name, entries] of Object.entries(report.maps)) {
    out.push(`map ${name}: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`);
    for (const entry of entries) out.push(`  ${JSON.stringify(entry.key)} → ${JSON.stringify(entry.value)}`);
  }
  const t = report.timings;
  if (report.ok)
    out.push(`ok: ${report.trace.length} trace lines (${report.dropped} dropped); compile ${t.compileMs} ms, load ${t.loadMs} ms, attach ${t.attachMs} ms`);
  return `${out.join('\n')}\n`;
}
