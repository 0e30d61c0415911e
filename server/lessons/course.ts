import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  checkSpecSchema,
  lessonSchema,
  mapSeedSchema,
  SOURCE_FILE_NAME,
  workloadSpecSchema,
  type CheckSpec,
  type Lesson,
  type SourceFile,
  type WorkloadSpec,
} from '../../protocol/messages.ts';
import { ROOT } from '../config.ts';

/** The bundled courses: `courses.json` names their folders in order, each with its `course.json` and lesson folders. */
export const COURSES_DIR = path.join(ROOT, 'bpf', 'lessons');

const lessonFileSchema = z.object({
  title: z.string().min(1),
  summary: z.string(),
  hints: z.array(z.string()),
  seeds: z.array(mapSeedSchema).default([]),
  workload: workloadSpecSchema,
  check: checkSpecSchema,
  /** A lesson that starts from a program the verifier rejects: the explanation class that rejection must get. */
  starterRejectedAs: z.string().min(1).optional(),
  histogramUnits: z.record(z.string(), z.string().min(1).max(16)).optional(),
});

const courseFileSchema = z.object({
  title: z.string(),
  description: z.string(),
  lessons: z.array(z.string()).min(1),
});

const coursesFileSchema = z.object({
  courses: z.array(z.string()).min(1),
});

/** A lesson as its folder holds it: what the page gets, plus the solution and the check, which stay here. */
export interface LessonFolder {
  lesson: Lesson;
  solution: SourceFile[];
  check: CheckSpec;
  workload: WorkloadSpec;
  /** The explanation class of the verifier's rejection of the starter, for lessons that start from one; null otherwise. */
  starterRejectedAs: string | null;
}

export interface Course {
  /** The course's folder name: how a page remembers which course it shows. */
  name: string;
  title: string;
  description: string;
  lessons: LessonFolder[];
}

/**
 * Reads a lesson folder: lesson.json (title, hints, seeds, workload, check, histogram units),
 * lesson.md (cut into steps at its `## ` headings), starter/ and solution/.
 * Throws a sentence naming the file when something is missing or malformed.
 */
export function loadLessonFolder(dir: string): LessonFolder {
  const name = path.basename(path.resolve(dir));
  const jsonFile = path.join(dir, 'lesson.json');
  if (!existsSync(jsonFile)) throw new Error(`${dir} is not a lesson folder: it has no lesson.json.`);
  const parsed = lessonFileSchema.safeParse(JSON.parse(readFileSync(jsonFile, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${jsonFile}: ${issue.path.join('.') || 'the file'}: ${issue.message}.`);
  }
  const meta = parsed.data;
  const markdown = readFileSync(path.join(dir, 'lesson.md'), 'utf8');
  const lesson = lessonSchema.parse({
    name,
    title: meta.title,
    summary: meta.summary,
    steps: splitSteps(markdown),
    hints: meta.hints,
    files: readSources(path.join(dir, 'starter')),
    seeds: meta.seeds,
    workload: meta.workload,
    ...(meta.histogramUnits ? { histogramUnits: meta.histogramUnits } : {}),
  });
  return {
    lesson,
    solution: readSources(path.join(dir, 'solution')),
    check: meta.check,
    workload: meta.workload,
    starterRejectedAs: meta.starterRejectedAs ?? null,
  };
}

/** The course in a folder: course.json names the lessons in order. */
export function loadCourse(dir: string): Course {
  const course = courseFileSchema.parse(JSON.parse(readFileSync(path.join(dir, 'course.json'), 'utf8')));
  return {
    name: path.basename(path.resolve(dir)),
    title: course.title,
    description: course.description,
    lessons: course.lessons.map((name) => loadLessonFolder(path.join(dir, name))),
  };
}

/**
 * The courses in a folder: courses.json names the course folders in order.
 * Lesson names are how checks, rooms and saved progress name a lesson, so
 * two courses may not share one.
 */
export function loadCourses(dir = COURSES_DIR): Course[] {
  const list = coursesFileSchema.parse(JSON.parse(readFileSync(path.join(dir, 'courses.json'), 'utf8')));
  const courses = list.courses.map((name) => loadCourse(path.join(dir, name)));
  const seen = new Map<string, string>();
  for (const course of courses) {
    for (const { lesson } of course.lessons) {
      const other = seen.get(lesson.name);
      if (other !== undefined)
        throw new Error(`The lesson name "${lesson.name}" is used by both ${other} and ${course.name}: lesson folders need names unique across courses.`);
      seen.set(lesson.name, course.name);
    }
  }
  return courses;
}

let cached: Course[] | null = null;
/** The bundled courses, read once: lessons change with a deploy, not while serving. */
export function bundledCourses(): Course[] {
  cached ??= loadCourses();
  return cached;
}

/** Every bundled lesson, course after course. */
export function bundledLessons(): LessonFolder[] {
  return bundledCourses().flatMap((course) => course.lessons);
}

/** A bundled lesson by its name, in whichever course holds it. */
export function bundledLesson(name: string): LessonFolder | undefined {
  return bundledLessons().find((l) => l.lesson.name === name);
}

/** Cuts Markdown at its `## ` headings; text before the first one (under the `# ` title) is the first step. */
export function splitSteps(markdown: string): { title: string; markdown: string }[] {
  const steps: { title: string; markdown: string }[] = [];
  let current: { title: string; lines: string[] } = { title: 'Introduction', lines: [] };
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (!inFence && line.startsWith('# ')) continue;
    if (!inFence && line.startsWith('## ')) {
      steps.push({ title: current.title, markdown: current.lines.join('\n').trim() });
      current = { title: line.slice(3).trim(), lines: [] };
      continue;
    }
    current.lines.push(line);
  }
  steps.push({ title: current.title, markdown: current.lines.join('\n').trim() });
  return steps.filter((s) => s.markdown || s.title !== 'Introduction');
}

function readSources(dir: string): SourceFile[] {
  if (!existsSync(dir)) throw new Error(`${dir} is missing.`);
  const names = readdirSync(dir)
    .filter((n) => SOURCE_FILE_NAME.test(n) && /\.[ch]$/.test(n))
    .sort((a, b) => mainFirst(a) - mainFirst(b) || a.localeCompare(b));
  if (!names.length) throw new Error(`${dir} has no .c or .h files.`);
  return names.map((n) => ({ name: n, content: readFileSync(path.join(dir, n), 'utf8') }));
}

/** The .bpf.c file opens first in the editor. */
const mainFirst = (name: string) => (name.endsWith('.c') ? 0 : 1);
