import { expect, test } from './fixtures.ts';
import { PlaygroundPage } from './pages/playground.ts';

const HELLO = 'hello_execve.bpf.c';
const COUNTER = 'execve_counter.bpf.c';
const SAVED_KEY = 'ebpf-playground:saved-work:v1';

test('a shared link opens the modified program, never runs it, and Run prints its line', async ({ playground, page, context }) => {
  const { editor } = playground;
  // The user's own work, saved in this browser: opening a link must leave it alone.
  await editor.focus();
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('save-state')).toContainText('Saved in this browser');
  const saved = await page.evaluate((key) => localStorage.getItem(key), SAVED_KEY);
  expect(saved).toContain('Hello, World!');

  const original = (await editor.source(HELLO))!;
  const modified = original.replace('Hello, World!', 'Hello from a shared link!');
  expect(modified).not.toBe(original);
  await editor.setSource(HELLO, modified);

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { link, embed } = await playground.share();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?share=[\w-]+$/);
  expect(embed).toBe(`${link}&embed=1`);
  await playground.shareDialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(playground.shareDialog.getByRole('status')).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

  const other = await context.newPage();
  const shared = await PlaygroundPage.open(other, link);
  await expect(shared.shareBanner).toHaveText(/Opened a shared program: press Run to start it/);
  await expect.poll(() => shared.editor.source(HELLO)).toBe(modified);
  await shared.status.expectPhase('idle');
  await expect(shared.editor.stopButton).toBeDisabled();
  expect(await other.evaluate((key) => localStorage.getItem(key), SAVED_KEY)).toBe(saved);

  await shared.editor.run();
  await shared.status.expectPhase('running');
  await expect(shared.shareBanner).toBeHidden();
  await shared.triggerExec();
  await shared.output.expectLine('invoke bpf_prog: Hello from a shared link!');
  await shared.editor.stop();
  await shared.status.expectPhase('stopped');
});

test('embed mode shows the editor and Output with Run, and nothing else for a program that only prints', async ({ playground, page }) => {
  const { embed } = await playground.share();
  const embedded = await PlaygroundPage.open(page, embed);
  await expect(embedded.shareBanner).toHaveText(/Opened a shared program/);

  await expect(embedded.editor.surface).toBeVisible();
  await expect(embedded.output.tab).toBeVisible();
  await expect(embedded.editor.runButton).toBeVisible();
  await expect(embedded.editor.stopButton).toBeVisible();
  await expect(page.getByRole('button', { name: 'Trigger exec' })).toBeVisible();
  await expect(embedded.maps.tab).toHaveCount(0);
  await expect(embedded.inspect.tab).toHaveCount(0);
  await expect(embedded.verifier.tab).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Examples/ })).toHaveCount(0);
  await expect(embedded.shareButton).toHaveCount(0);
  await expect(embedded.statusBar).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Open in eBPF Playground' })).toHaveAttribute('href', embed.replace('&embed=1', ''));

  await embedded.status.expectPhase('idle');
  await embedded.editor.run();
  await embedded.status.expectPhase('running');
  await embedded.triggerExec();
  await embedded.output.expectLine('invoke bpf_prog: Hello, World!');
  await embedded.editor.stop();
  await embedded.status.expectPhase('stopped');
});

test('an embed of a map-only program opens on its Maps once it runs, with a live value', async ({ playground, page }) => {
  // The execve counter keeps its count in a hash map and prints nothing.
  await playground.pickExample('Count execve in a hash map');
  expect(await playground.editor.source(COUNTER)).not.toContain('printk');
  const { embed } = await playground.share();
  const embedded = await PlaygroundPage.open(page, embed);
  const { editor, status, maps, output } = embedded;
  // Before a Run nothing says which maps the program has.
  await expect(maps.tab).toHaveCount(0);

  await editor.run();
  await status.expectPhase('running');
  await expect(maps.tab).toHaveAttribute('aria-selected', 'true');
  await expect(output.tab).toHaveAttribute('aria-selected', 'false');
  await expect(embedded.events.tab).toHaveCount(0);
  await embedded.triggerExec();
  await expect.poll(() => maps.numberAt('execve_counter', '"execve_counter"')).toBeGreaterThan(0);

  // A second Run keeps the tab it is on while the program compiles and loads again.
  await editor.stop();
  await status.expectPhase('stopped');
  await editor.run();
  await status.expectPhase('running');
  await expect(maps.tab).toHaveAttribute('aria-selected', 'true');
  await editor.stop();
});

test('an embed of a ring buffer program shows its records in Events', async ({ playground, page }) => {
  await playground.pickExample('Ring buffer: one record per openat');
  const { embed } = await playground.share();
  const embedded = await PlaygroundPage.open(page, embed);
  const { editor, status, events, maps } = embedded;
  await expect(events.tab).toHaveCount(0);

  await editor.run();
  await status.expectPhase('running');
  await expect(events.tab).toHaveAttribute('aria-selected', 'true');
  // Its stats map counts the records sent and dropped.
  await expect(maps.tab).toBeVisible();
  // The embed's one trigger: /bin/true opens its libraries, one record each.
  await events.filter.fill('true');
  await embedded.triggerExec();
  await expect(events.row('comm', 'true').first()).toBeVisible();
  await editor.stop();
  await status.expectPhase('stopped');
});

test('an unknown share id says so and runs nothing', async ({ page }) => {
  const playground = await PlaygroundPage.open(page, '/?share=nosuchid');
  await expect(playground.shareBanner).toContainText('There is no shared program "nosuchid"');
  await expect(playground.editor.fileTab(HELLO)).toBeVisible();
  await playground.status.expectPhase('idle');
});

test('a share link opens exactly the shared program, every time, in a fresh browser', async ({ playground, browser }) => {
  test.setTimeout(300_000);
  // A program other than the first example, so the editor showing the first example at any moment is seen.
  await playground.pickExample('Count execve in a hash map');
  const original = (await playground.editor.source(COUNTER))!;
  const modified = original.replace('Count execve calls', 'Shared: count execve calls');
  expect(modified).not.toBe(original);
  await playground.editor.setSource(COUNTER, modified);
  const { link } = await playground.share();

  for (let open = 1; open <= 20; open++) {
    // A fresh context each time: no storage, no cache, a new connection, as a reader of the link has.
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await PlaygroundPage.recordFileTabs(page);
      const shared = await PlaygroundPage.open(page, link);
      await expect(shared.shareBanner).toHaveText(/Opened a shared program/);
      // Once the examples are listed, nothing else is on its way to the editor.
      await expect(page.getByRole('button', { name: /^Examples/ })).toBeEnabled();
      await expect.poll(() => shared.editor.source(COUNTER), { message: `the shared text, open ${open} of 20` }).toBe(modified);
      expect(await shared.editor.files(), `open ${open} of 20`).toEqual([COUNTER]);
      // Not even for a moment did the editor hold another program.
      expect(await shared.fileTabsSeen(), `file tabs shown in open ${open} of 20`).toEqual([COUNTER]);
    } finally {
      await context.close();
    }
  }
});
