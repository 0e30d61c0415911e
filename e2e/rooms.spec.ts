import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { PlaygroundPage } from './pages/playground.ts';

const LESSON_DIR = path.resolve(import.meta.dirname, '..', 'bpf', 'lessons', '01-hello-tracepoint');
const SOLUTION = readFileSync(path.join(LESSON_DIR, 'solution', 'hello.bpf.c'), 'utf8');

test('a workshop room: the participant joins, passes lesson 1, shows on the board, raises a hand, and is viewed', async ({ playground, page, browser }) => {
  // The instructor starts a room.
  await page.getByRole('button', { name: 'Room', exact: true }).click();
  await page.getByLabel('Title').fill('Friday workshop');
  await page.getByRole('button', { name: 'Start a room' }).click();
  const code = (await page.getByTestId('room-code').textContent())!.trim();
  expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
  await expect(page.getByTestId('room-board')).toContainText('Nobody has joined yet');

  // The participant opens the join link in their own browser: no account, a code and a name.
  const participantContext = await browser.newContext();
  const other = await PlaygroundPage.open(await participantContext.newPage(), `/?room=${code}`);
  const participant = other.page;
  await expect(participant.getByLabel('Room code')).toHaveValue(code);
  await participant.getByLabel('Your name').fill('Ada');
  await participant.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(participant.getByTestId('room-participant')).toContainText(`Room ${code}`);

  const row = page.getByTestId('board-row').filter({ hasText: 'Ada' });
  await expect(row).toBeVisible();
  await expect(row.getByLabel('connected')).toBeVisible();

  // Lesson 1: the starter does not pass; the solution does.
  await participant.getByRole('button', { name: 'Lessons', exact: true }).click();
  await participant.getByRole('button', { name: 'Hello, tracepoint' }).click();
  await expect(participant.getByTestId('lesson')).toContainText('Step 1 of');
  await expect.poll(() => other.editor.files()).toEqual(['hello.bpf.c']);
  await expect(row).toContainText('Hello, tracepoint');

  await other.editor.run();
  await other.status.expectPhase('running');
  await participant.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(participant.getByTestId('check-result')).toContainText('Not yet', { timeout: 30_000 });
  await expect(participant.getByRole('region', { name: 'Hints' })).toContainText('Hints (1 of');

  await other.editor.setSource('hello.bpf.c', SOLUTION);
  await other.editor.run();
  await other.status.expectPhase('running');
  await participant.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(participant.getByTestId('check-result')).toContainText('✓ Passed', { timeout: 30_000 });
  await expect(participant.getByTestId('lesson-passed')).toBeVisible();

  await expect(row.getByTestId('board-passed')).toContainText('✓ 1 of 6');
  await expect(row).toContainText('running');

  // A raised hand shows on the board and on the Room tab.
  await participant.getByRole('tab', { name: /Room/ }).click();
  await participant.getByRole('button', { name: 'Raise hand' }).click();
  await expect(row.getByTestId('board-hand')).toContainText('raised');
  await expect(page.getByTestId('badge-hands')).toContainText('1');

  // The instructor follows the participant's code and output, read-only.
  await row.getByRole('button', { name: 'View' }).click();
  const view = page.getByTestId('participant-view');
  await expect(view).toContainText('Ada');
  await expect(view.getByTestId('participant-code')).toContainText('hello');
  await playground.triggerExec();
  await expect(view.getByTestId('participant-output')).toContainText(/hello/i);

  // Lowering the hand reaches the participant.
  await row.getByRole('button', { name: 'lower' }).click();
  await expect(participant.getByRole('button', { name: 'Raise hand' })).toBeVisible();

  // A pushed lesson reaches the participant, who opens it.
  await page.getByLabel('Lesson to push').selectOption({ label: 'Maps from user space' });
  await page.getByRole('button', { name: 'Push lesson' }).click();
  await expect(participant.getByTestId('push-banner')).toContainText('Maps from user space');
  await participant.getByTestId('push-banner').getByRole('button', { name: 'Open it' }).click();
  await expect(participant.getByTestId('lesson')).toContainText('Maps from user space');
  // Opening what was pushed stops the program that was running: a Check would otherwise watch it.
  await other.status.expectPhase('stopped');
  await participantContext.close();
});
