import type { Outcome } from '../../protocol/client.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ServerMessage, SourceFile } from '../../protocol/messages.ts';
import { loadCourse, loadCourses, loadLessonFolder, type LessonFolder } from '../lessons/course.ts';
import { PlaygroundConnection, type RunOutcome } from './connection.ts';
import { writeOut } from './write-out.ts';

const USAGE = `Usage:
  ebpf-playground lesson check <lesson dir | course dir | courses dir>… [--kernel NAME] [--json] [--server URL]

Runs each lesson's reference solution (solution/) on a running playground,
then its check: the server starts the lesson's workload and judges what the
solution printed, counted or sent. A lesson whose lesson.json names
starterRejectedAs also runs its starter, which must be rejected by the
verifier with that explanation class. A course dir (with course.json) checks
every lesson in it; a courses dir (with courses.json, like bpf/lessons) every
course's. Exits non-zero when a lesson does not pass.
`;

export interface LessonCheckReport {
  lesson: string;
  pass: boolean;
  /** The check's sentence, or what stopped the solution from running. */
  message: string;
  facts?: Record<string, string | number>;
  /** For a lesson that starts from a rejected program: whether its starter was rejected as intended. */
  starter?: StarterReport;
}

export interface StarterReport {
  pass: boolean;
  /** What the verifier's rejection was explained as, or what happened instead. */
  message: string;
}

export async function lessonCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      kernel: { type: 'string' },
      server: { type: 'string', default: process.env.PLAYGROUND_URL ?? 'http://127.0.0.1:3000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...dirs] = positionals;
  if (values.help || command !== 'check' || !dirs.length) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  let lessons: LessonFolder[];
  try {
    lessons = dirs.flatMap(lessonsIn);
  } catch (error) {
    process.stderr.write(`ebpf-playground: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const reports: LessonCheckReport[] = [];
  const connection = await PlaygroundConnection.open(values.server);
  try {
    for (const lesson of lessons) {
      const report = await checkLesson(connection, lesson, lesson.solution, values.kernel);
      if (lesson.starterRejectedAs) {
        report.starter = await checkStarter(connection, lesson, values.kernel);
        report.pass &&= report.starter.pass;
      }
      reports.push(report);
      if (!values.json) {
        const starter = report.starter ? ` Starter: ${report.starter.message}` : '';
        process.stdout.write(`${report.pass ? 'pass' : 'FAIL'}  ${report.lesson}: ${report.message}${starter}\n`);
      }
    }
  } finally {
    connection.close();
  }
  const passed = reports.filter((r) => r.pass).length;
  await writeOut(values.json ? `${JSON.stringify({ ok: passed === reports.length, lessons: reports })}\n` : `${passed} of ${reports.length} lessons pass.\n`);
  process.exit(passed === reports.length ? 0 : 1);
}

/** The lessons a directory holds: every course's (courses.json), one course's (course.json), or the lesson folder itself. */
function lessonsIn(dir: string): LessonFolder[] {
  if (existsSync(path.join(dir, 'courses.json'))) return loadCourses(dir).flatMap((course) => course.lessons);
  if (existsSync(path.join(dir, 'course.json'))) return loadCourse(dir).lessons;
  return [loadLessonFolder(dir)];
}

/** A server's Run budget (5 per 10 s by default) paces a whole course: wait and try again this often. */
const RATE_LIMIT_WAIT_MS = 2500;
const RATE_LIMIT_TRIES = 12;

/** Runs the solution (or other files: tests run the starter), waits until it is attached, checks it, stops it. */
export async function checkLesson(
  connection: PlaygroundConnection,
  folder: LessonFolder,
  files = folder.solution,
  kernel?: string,
): Promise<LessonCheckReport> {
  const lesson = folder.lesson.name;
  const { runId, settled } = await startPaced(connection, files, folder, kernel);
  if (!settled) return { lesson, pass: false, message: 'The solution reached neither running nor an error within 180 s.' };
  if (settled.type === 'reply' || (settled.type === 'run_state' && settled.state === 'error')) {
    const error = settled.error;
    const diagnostic = connection.inbox
      .find((m): m is Extract<ServerMessage, { type: 'compiled' }> => m.type === 'compiled' && m.runId === runId)
      ?.diagnostics.find((d) => d.severity === 'error');
    const where = diagnostic ? ` (${diagnostic.file}:${diagnostic.line}: ${diagnostic.message})` : '';
    return { lesson, pass: false, message: `The solution did not run: ${error?.message ?? 'unknown error'}${where}` };
  }
  let result: Outcome<'check'> | null = null;
  for (let attempt = 0; attempt < RATE_LIMIT_TRIES; attempt++) {
    result = await connection.request({ type: 'check', spec: { workload: folder.workload, check: folder.check } }, 60_000).catch(() => null);
    if (result?.ok || result?.error.code !== 'rate_limited') break;
    await sleep(RATE_LIMIT_WAIT_MS);
  }
  await connection.request({ type: 'stop' }).catch(() => {});
  if (!result) return { lesson, pass: false, message: 'The check did not answer within 60 s.' };
  if (!result.ok) return { lesson, pass: false, message: result.error.message };
  return { lesson, pass: result.pass, message: result.message, facts: result.facts };
}

/**
 * Runs the starter of a lesson that begins with a rejected program: it must
 * reach the verifier and be rejected there, explained as the lesson says.
 */
export async function checkStarter(connection: PlaygroundConnection, folder: LessonFolder, kernel?: string): Promise<StarterReport> {
  const wanted = folder.starterRejectedAs;
  const { runId, settled } = await startPaced(connection, folder.lesson.files, folder, kernel);
  if (!settled) return { pass: false, message: 'the starter reached neither running nor an error within 180 s.' };
  if (settled.type === 'run_state' && settled.state === 'running') {
    await connection.request({ type: 'stop' }).catch(() => {});
    return { pass: false, message: `the starter loaded, but it should be rejected by the verifier as ${wanted}.` };
  }
  const loaded = connection.inbox.find((m): m is Extract<ServerMessage, { type: 'loaded' }> => m.type === 'loaded' && m.runId === runId);
  const kind = loaded?.explanation?.kind;
  if (!kind)
    return {
      pass: false,
      message: `the starter should be rejected by the verifier as ${wanted}, but it failed before the verifier: ${settled.error?.message ?? 'unknown error'}`,
    };
  if (kind !== wanted)
    return { pass: false, message: `the verifier rejected the starter, explained as ${kind} instead of ${wanted}: ${loaded.explanation!.summary}` };
  return { pass: true, message: `rejected by the verifier as ${kind}, as intended.` };
}

/** Starts a Run of these files with the lesson's seeds, waiting out the server's Run budget. */
async function startPaced(
  connection: PlaygroundConnection,
  files: SourceFile[],
  folder: LessonFolder,
  kernel?: string,
): Promise<{ runId: number; settled: RunOutcome | null }> {
  let settled: RunOutcome | null = null;
  let runId = 0;
  for (let attempt = 0; attempt < RATE_LIMIT_TRIES; attempt++) {
    ({ runId, outcome: settled } = await connection.startRun(files, folder.lesson.seeds, 180_000, kernel));
    if (!(settled?.type === 'reply' && settled.error?.code === 'rate_limited')) break;
    await sleep(RATE_LIMIT_WAIT_MS);
  }
  return { runId, settled };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
