import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { PlaygroundPage } from './pages/playground.ts';

const LESSON_DIR = path.resolve(import.meta.dirname, '..', 'bpf', 'lessons', 'make-the-verifier-happy', 'verifier-1-null-check');
const STARTER = readFileSync(path.join(LESSON_DIR, 'starter', 'count_execs.bpf.c'), 'utf8');

test('the second course: pick it in Lessons, open a lesson, its starter is in the editor and the verifier rejects it; the course is remembered', async ({
  page,
}) => {
  const playground = await PlaygroundPage.open(page);
  const { editor, status, verifier } = playground;
  await page.getByRole('button', { name: 'Lessons', exact: true }).click();
  const courseList = page.getByTestId('course');
  // The first course is shown until another is picked.
  await expect(courseList.getByRole('heading')).toHaveText('eBPF from zero');

  await page.getByRole('radiogroup', { name: 'Course' }).getByText('Make the verifier happy').click();
  await expect(courseList.getByRole('heading')).toHaveText('Make the verifier happy');
  await expect(courseList.getByRole('listitem')).toHaveCount(7);
  await courseList.getByRole('button', { name: 'Check for NULL' }).click();

  const lesson = page.getByTestId('lesson');
  await expect(lesson).toContainText('Lesson 1 of 7');
  await expect(lesson).toContainText('Step 1 of 4: The verifier reads your program first');
  await expect.poll(() => editor.files()).toEqual(['count_execs.bpf.c']);
  expect(await editor.source('count_execs.bpf.c')).toBe(STARTER);

  // As the lesson says: Run, and the verifier refuses it on the line that uses the lookup's result.
  const failing = STARTER.split('\n').findIndex((l) => l.includes('__sync_fetch_and_add(count, 1);')) + 1;
  await editor.run();
  await status.expectPhase('error');
  await verifier.open();
  await expect(verifier.explanation).toContainText('R0 may be NULL here: the pointer from bpf_map_lookup_elem (map execs_by_comm)');
  await expect(verifier.explanation.getByRole('button', { name: `count_execs.bpf.c:${failing}` })).toBeVisible();

  // Back to the course: the lesson's own, and still that one after a reload.
  await page.getByRole('button', { name: 'Lessons', exact: true }).click();
  await lesson.getByRole('button', { name: '← Course' }).click();
  await expect(courseList.getByRole('heading')).toHaveText('Make the verifier happy');
  await page.reload();
  await page.getByRole('button', { name: 'Lessons', exact: true }).click();
  await expect(page.getByTestId('course').getByRole('heading')).toHaveText('Make the verifier happy');
});

test('progress saved before there were two courses still opens its lesson of the first course, with its step and passes', async ({ page }) => {
  await page.addInitScript(() => {
    localStorage.setItem(
      'ebpf-playground:lesson-progress',
      JSON.stringify({ current: '02-maps-from-user-space', steps: { '02-maps-from-user-space': 2 }, passed: ['01-hello-tracepoint'], failures: {} }),
    );
  });
  await PlaygroundPage.open(page);
  await page.getByRole('button', { name: 'Lessons', exact: true }).click();
  const lesson = page.getByTestId('lesson');
  await expect(lesson).toContainText('Maps from user space');
  await expect(lesson).toContainText('Lesson 2 of 6');
  await expect(lesson).toContainText('Step 3 of 4');

  await lesson.getByRole('button', { name: '← Course' }).click();
  const courseList = page.getByTestId('course');
  await expect(courseList.getByRole('heading')).toHaveText('eBPF from zero');
  await expect(courseList.getByRole('listitem').filter({ hasText: 'Hello, tracepoint' }).getByRole('img', { name: 'passed' })).toBeVisible();
});
