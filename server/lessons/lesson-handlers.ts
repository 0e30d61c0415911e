// get_lessons and check: the bundled courses, and judging a running program against a lesson.
import type { PlaygroundError } from '../../protocol/messages.ts';
import { accept, refuse } from '../../protocol/replies.ts';
import type { HandlerTable, SessionContext } from '../session/context.ts';
import { bundledCourses, bundledLesson } from './course.ts';
import { checkRunningProgram } from './lesson-check.ts';

/** Sessions with a check under way: one at a time each. */
const checking = new WeakSet<SessionContext>();

export const lessonHandlers = {
  get_lessons: (_session, message) => {
    const courses = bundledCourses().map(({ name, title, description, lessons }) => ({ name, title, description, lessons: lessons.map((l) => l.lesson) }));
    return accept(message.id, 'get_lessons', { courses });
  },

  /** Starts the lesson's workload against the running program and says whether it passes. */
  check: async (session, message) => {
    const fail = (code: PlaygroundError['code'], text: string, retryAfterMs?: number) =>
      refuse(message.id, { code, message: text, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    const lesson = message.lesson ? bundledLesson(message.lesson) : undefined;
    const spec = lesson ?? message.spec;
    if (!spec) return fail('bad_request', message.lesson ? `There is no lesson named "${message.lesson}".` : 'Name a lesson, or give a workload and a check.');
    const run = session.run;
    if (run?.state !== 'running') return fail('not_running', 'Press Run first: the check watches your running program.');
    if (checking.has(session)) return fail('busy', 'A check is already running: wait for its result.');
    // A check starts a process, so it spends the same budget as a Run.
    const budget = session.spendRunBudget();
    if (!budget.ok) return fail('rate_limited', 'Too many runs and checks at once: wait a moment and try again.', budget.retryAfterMs);
    checking.add(session);
    try {
      const verdict = await checkRunningProgram(spec, {
        readMaps: () => run.readMaps(),
        watch: (onTrace, onRecords) => session.watchRun(onTrace, onRecords),
        runWorkload: (plan) => run.runWorkload(plan),
        workloadTimeoutMs: session.deps.config.limits.workloadTimeoutMs,
      });
      if (session.run !== run) return fail('not_running', 'The program stopped during the check: press Run, then Check again.');
      if (verdict.pass && lesson) session.deps.rooms.passed(session.member, lesson.lesson.name);
      return accept(message.id, 'check', { lesson: message.lesson, pass: verdict.pass, message: verdict.message, facts: verdict.facts });
    } catch (error) {
      return fail('internal', `The check could not run: ${(error as Error).message}.`);
    } finally {
      checking.delete(session);
    }
  },
} satisfies HandlerTable;
