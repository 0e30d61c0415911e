import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const HELLO = 'hello_execve.bpf.c';
/** The server's defaults (server/config.ts), which e2e/playground.config.json keeps. */
const RUNS_PER_WINDOW = 5;
const WS_MAX_PAYLOAD_BYTES = 128 * 1024;

/** What the page sends and whether a socket closes: a request over the limits must never leave the page. */
function watchSockets(page: Page) {
  const seen = { closes: 0, largestFrame: 0 };
  page.on('websocket', (ws) => {
    ws.on('framesent', (frame) => {
      seen.largestFrame = Math.max(seen.largestFrame, Buffer.byteLength(frame.payload));
    });
    ws.on('close', () => seen.closes++);
  });
  return seen;
}

/** The example with a comment of about `bytes` bytes appended, in lines as a pasted file has. */
function padded(source: string, bytes: number): string {
  const line = `${'x'.repeat(99)}\n`;
  return `${source}\n/*\n${line.repeat(Math.ceil(bytes / line.length))}*/\n`;
}

test('Run pressed six times: the refused one changes nothing, and Run counts down to when it is taken again', async ({ playground }) => {
  const { editor, status, output } = playground;
  // Six presses in quick succession: the server takes five in its window and refuses the sixth.
  const countdown = await editor.watchRunCountdown();
  await editor.runRepeatedly(RUNS_PER_WINDOW + 1);

  // Run is disabled and counts down, second by second, to when the server takes one again (a Run every 2 s by default).
  const shown = await countdown();
  expect(shown.length, 'countdown steps shown').toBeGreaterThan(0);
  for (const step of shown) expect(step).toEqual({ text: expect.stringMatching(/^Run in [1-9]\d* s$/), disabled: true });
  const seconds = shown.map((step) => Number(step.text.match(/\d+/)![0]));
  expect(seconds, 'the seconds only go down').toEqual([...seconds].sort((a, b) => b - a));
  await expect(editor.runButton).toBeEnabled();
  await expect(editor.runButton).toHaveText(/^▶Run/);

  await expect(playground.runRefusal).toContainText('Too many runs');
  await expect(playground.runRefusal).toContainText('The program that was running goes on.');

  // The program the server took last runs on, and the page still shows its news.
  await status.expectPhase('running');
  await expect(playground.runError).toBeHidden();
  await playground.triggerExec();
  await output.expectLine('invoke bpf_prog: Hello, World!');
  await output.filter.fill('Hello, World');
  await playground.page.getByRole('button', { name: 'Clear' }).click();
  await playground.triggerExec();
  // Lines after the Clear are the running program's, printed after the refusal.
  await output.expectLine('invoke bpf_prog: Hello, World!');

  // Its sentence goes with the next Run the server takes.
  await editor.run();
  await expect(playground.runRefusal).toBeHidden();
  await status.expectPhase('running');

  await editor.stop();
  await status.expectPhase('stopped');
});

for (const { size, kb } of [
  { size: 100 * 1024, kb: /10\d\.\d KB/ },
  { size: 1100 * 1024, kb: /1\.1 MB/ },
]) {
  test(`a ${Math.round(size / 1024)} KB source is refused in the page, in KB, and the connection stays`, async ({ playground, page }) => {
    const { editor, status, output } = playground;
    const sockets = watchSockets(page);
    const source = (await editor.source(HELLO))!;
    await editor.setSource(HELLO, padded(source, size));
    await editor.run();

    await expect(playground.runRefusal).toContainText(
      new RegExp(`${HELLO.replace(/\./g, '\\.')} is ${kb.source}; the limit is 64 KB for all files together\\.`),
    );
    await expect(playground.runRefusal).not.toContainText('bytes');
    await expect(playground.connection).toHaveText('Connected');
    await expect(page.getByTestId('connection-banner')).toBeHidden();
    await status.expectPhase('idle');

    // Back to a normal size, Run works on the same connection.
    await editor.setSource(HELLO, source);
    await editor.run();
    await status.expectPhase('running');
    await expect(playground.runRefusal).toBeHidden();
    await playground.triggerExec();
    await output.expectLine('invoke bpf_prog: Hello, World!');
    await expect(playground.connection).toHaveText('Connected');
    expect(sockets.closes, 'sockets closed').toBe(0);
    expect(sockets.largestFrame, 'the largest frame sent').toBeLessThanOrEqual(WS_MAX_PAYLOAD_BYTES);
    await editor.stop();
    await status.expectPhase('stopped');
  });
}
