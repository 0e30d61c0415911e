import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';
import { PlaygroundPage } from './pages/playground.ts';
import { joinAs, RoomTab } from './pages/room.ts';

const LESSON_DIR = path.resolve(import.meta.dirname, '..', 'bpf', 'lessons', 'ebpf-from-zero', '01-hello-tracepoint');
const SOLUTION = readFileSync(path.join(LESSON_DIR, 'solution', 'hello.bpf.c'), 'utf8');

test('a workshop room: the participant joins, passes lesson 1, shows on the board, raises a hand, and is viewed', async ({ playground, page, browser }) => {
  // The instructor starts a room.
  await playground.openRoom();
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
  await other.openLessons();
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

test("the room forms' inputs are one line high, like the page's other inputs, and a typed code reads in the text colour", async ({ playground, page }) => {
  await playground.output.open();
  const filterBox = await playground.output.filter.boundingBox();
  expect(filterBox).not.toBeNull();

  await new RoomTab(page).open();
  for (const label of ['Room code', 'Your name', 'Title']) {
    const box = await page.getByLabel(label).boundingBox();
    expect(box, label).not.toBeNull();
    expect(box!.height, `${label} is one line high`).toBeLessThan(48);
    expect(Math.abs(box!.height - filterBox!.height), `${label} is as tall as the Output filter`).toBeLessThanOrEqual(1);
  }

  const codeInput = page.getByLabel('Room code');
  const colours = () =>
    codeInput.evaluate((input) => ({
      typed: getComputedStyle(input).color,
      placeholder: getComputedStyle(input, '::placeholder').color,
      text: getComputedStyle(document.body).color,
    }));
  await codeInput.fill('k7pq2m');
  await expect(codeInput).toHaveValue('K7PQ2M');
  const filled = await colours();
  expect(filled.typed, 'the typed code is in the text colour').toBe(filled.text);
  expect(filled.placeholder, 'the placeholder stays grey').not.toBe(filled.typed);
});

test('closing the board keeps the instructor key: the board opens again, and forgetting the key asks first, in the page', async ({ playground }) => {
  const { page } = playground;
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const room = new RoomTab(page);
  const code = await room.start('Closing workshop');

  await room.board.getByRole('button', { name: 'Close room view' }).click();
  await expect(room.joinForm).toBeVisible();
  const kept = page.getByRole('region', { name: 'Rooms you run' });
  await expect(kept).toContainText(code);
  await expect(kept).toContainText('Closing workshop');

  // The key outlives a reload: it is this browser's, not the tab's.
  await PlaygroundPage.open(page);
  await room.open();
  await kept.getByRole('button', { name: `Open the board of ${code}` }).click();
  await expect(room.code).toHaveText(code);
  await expect(room.board).toContainText('Closing workshop');
  await expect(room.board).toContainText('Nobody has joined yet');

  // Forgetting is what cannot be undone: the page asks, and "Keep it" keeps it.
  await room.board.getByRole('button', { name: 'Close room view' }).click();
  await kept.getByRole('button', { name: `Forget ${code}` }).click();
  const confirm = page.getByRole('alertdialog', { name: `Forget room ${code}?` });
  await expect(confirm).toContainText('nobody can open its board again');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(kept).toContainText(code);

  await kept.getByRole('button', { name: `Forget ${code}` }).click();
  await confirm.getByRole('button', { name: 'Forget the key' }).click();
  await expect(page.getByRole('region', { name: 'Rooms you run' })).toBeHidden();
  expect(dialogs, 'no browser dialogs').toEqual([]);
});

test('the projector view shows the room code very large and the join link as text', async ({ playground }) => {
  const { page } = playground;
  const room = new RoomTab(page);
  const code = await room.start('Projector workshop');
  await room.board.getByRole('button', { name: 'Projector view' }).click();

  const projector = page.getByRole('dialog', { name: 'Room code for the projector' });
  const bigCode = projector.getByTestId('projector-code');
  await expect(bigCode).toHaveText(code);
  await expect(projector).toContainText(`/?room=${code}`);
  // Readable from the back of a room: the code fills a good part of the screen (720 px tall here).
  const fontSize = await bigCode.evaluate((element) => Number.parseFloat(getComputedStyle(element).fontSize));
  expect(fontSize).toBeGreaterThanOrEqual(120);
  const box = await bigCode.boundingBox();
  expect(box!.height).toBeGreaterThan(720 / 5);

  await page.keyboard.press('Escape');
  await expect(projector).toBeHidden();
  await expect(room.board).toBeVisible();
});

test("the participant viewer marks the line where the participant's last Run failed to compile", async ({ playground, browser }) => {
  const { page } = playground;
  const room = new RoomTab(page);
  const code = await room.start('Viewer workshop');
  const { context, playground: other } = await joinAs(browser, code, 'Grace');

  const file = (await other.editor.files()).find((name) => name.endsWith('.c'))!;
  const source = (await other.editor.source(file))!;
  const broken = `${source.replace(/\n*$/, '\n')}int broken = not_declared;\n`;
  const brokenLine = broken.split('\n').length - 1;
  await other.editor.setSource(file, broken);
  await other.editor.run();
  await other.status.expectPhase('error');

  const row = room.row('Grace');
  await expect(row).toContainText('failed at compile');
  await row.getByRole('button', { name: 'View' }).click();
  const view = page.getByTestId('participant-view');
  await expect(view.getByTestId('participant-problems')).toContainText(`${file}:${brokenLine}`);
  await expect(view.getByTestId('participant-problems')).toContainText('not_declared');
  await expect.poll(() => room.markedLines()).toEqual([brokenLine]);

  await context.close();
});
