import { expect, test } from './fixtures.ts';
import { PlaygroundPage } from './pages/playground.ts';

/** The top bar's actions besides Run and Stop: each is a button, or an item of More where the bar has no room for it. */
const ACTIONS = ['Lessons', 'Room', 'Trigger exec', 'Open a file', 'Export', 'Share'];
const RESULT_TABS = ['Output', 'Maps', 'Events', 'Inspect', 'Verifier log', 'Lessons', 'Room'];

/** The page is laid out for this width: nothing of it lies beyond the viewport, so nothing scrolls sideways. */
function pageWidths(page: PlaygroundPage['page']) {
  return page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
}

for (const width of [800, 1280, 1440]) {
  test(`at ${width} px the page does not scroll sideways, every action and tab is reachable, and the run's figures are whole`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    const playground = await PlaygroundPage.open(page);
    const { editor, status, output } = playground;
    // A real Run, so the status holds real figures: uptime, line rate, each stage's time.
    await editor.run();
    await status.expectPhase('running');
    await playground.triggerExec();
    await output.expectLine('invoke bpf_prog: Hello, World!');
    await expect(status.line).toContainText('lines/s');
    await expect(status.line).toContainText(/attach \d+ ms/);

    const { scrollWidth, clientWidth } = await pageWidths(page);
    expect(scrollWidth, `the page's width at ${width} px`).toBeLessThanOrEqual(clientWidth);

    // Run, Stop and the examples never fold, and are on screen.
    for (const control of [editor.runButton, editor.stopButton, page.getByRole('button', { name: /^Examples/ })]) {
      const box = (await control.boundingBox())!;
      expect(box.x + box.width, `${await control.textContent()} ends inside the viewport`).toBeLessThanOrEqual(width);
    }

    // Every other action: on screen in the bar, or in More, where it is on screen and can be chosen.
    for (const name of ACTIONS) {
      const action = await playground.topBarAction(name);
      await expect(action, name).toBeVisible();
      await expect(action, name).toBeEnabled();
      const box = (await action.boundingBox())!;
      expect(box.x, `${name} starts inside the viewport`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${name} ends inside the viewport`).toBeLessThanOrEqual(width);
      if ((await action.getAttribute('role')) === 'menuitem') {
        await page.keyboard.press('Escape');
        await expect(playground.moreMenu).toBeHidden();
      }
    }
    // Chosen from wherever it is, an action does its work: Share opens its links on screen.
    const { link } = await playground.share();
    expect(link).toMatch(/\?share=/);
    const dialog = (await playground.shareDialog.boundingBox())!;
    expect(dialog.x).toBeGreaterThanOrEqual(0);
    expect(dialog.x + dialog.width).toBeLessThanOrEqual(width);
    await page.keyboard.press('Escape');
    await playground.openLessons();
    await expect(page.getByRole('tab', { name: /^Lessons/ })).toHaveAttribute('aria-selected', 'true');

    // The result tabs stay inside the pane, and each one scrolls into view when chosen.
    const strip = page.getByRole('tablist', { name: 'Results' });
    const stripBox = (await strip.boundingBox())!;
    expect(stripBox.x + stripBox.width, 'the result tabs end inside the viewport').toBeLessThanOrEqual(width);
    for (const name of RESULT_TABS) {
      const tab = strip.getByRole('tab', { name: new RegExp(`^${name}`) });
      await tab.click();
      await expect(tab).toHaveAttribute('aria-selected', 'true');
      // Whole in the strip once it settles (a badge appearing on a tab before it widens that one).
      await expect
        .poll(async () => {
          const box = (await tab.boundingBox())!;
          return box.x >= stripBox.x - 1 && box.x + box.width <= stripBox.x + stripBox.width + 1;
        }, `${name} is whole inside the strip`)
        .toBe(true);
    }

    // The run's figures: each shown whole or not at all, and all of them in the tooltip.
    const figures = await status.line.evaluate((line) => {
      const shownBox = line.getBoundingClientRect();
      const cut: string[] = [];
      // Text cut off with an ellipsis, anywhere in the status.
      for (const element of line.querySelectorAll<HTMLElement>('*')) if (element.scrollWidth > element.clientWidth + 1) cut.push(element.textContent ?? '');
      const texts = [...line.querySelectorAll<HTMLElement>('[data-figure]')].map((figure) => {
        const box = figure.getBoundingClientRect();
        const clip = figure.parentElement!.getBoundingClientRect();
        const inside = box.left >= clip.left - 1 && box.right <= clip.right + 1 && box.top >= clip.top - 1 && box.bottom <= clip.bottom + 1;
        const outside = box.left >= clip.right || box.right <= clip.left || box.top >= clip.bottom || box.bottom <= clip.top;
        if (!inside && !outside) cut.push(figure.textContent ?? '');
        return (figure.textContent ?? '').replace(/^\s*·\s*/, '');
      });
      return { cut, texts, title: (line as HTMLElement).title, right: shownBox.right };
    });
    expect(figures.cut, 'figures cut in the middle').toEqual([]);
    expect(figures.right).toBeLessThanOrEqual(width);
    expect(figures.texts.length, 'the run has figures').toBeGreaterThan(2);
    for (const text of ['running', ...figures.texts]) expect(figures.title, 'the tooltip holds every figure').toContain(text);

    await editor.stop();
    await status.expectPhase('stopped');
  });
}

test('the top bar folds and unfolds as the window narrows and widens', async ({ playground, page }) => {
  await page.setViewportSize({ width: 1440, height: 800 });
  await expect(playground.moreButton).toHaveCount(0);
  await expect(page.getByRole('banner').getByRole('button', { name: 'Share', exact: true })).toBeVisible();

  await page.setViewportSize({ width: 800, height: 800 });
  await expect(playground.moreButton).toBeVisible();
  await expect(page.getByRole('banner').getByRole('button', { name: 'Share', exact: true })).toHaveCount(0);
  expect((await pageWidths(page)).scrollWidth).toBeLessThanOrEqual(800);
  // From the keyboard: More opens on its first item, the arrows move, Enter chooses.
  await playground.moreButton.focus();
  await page.keyboard.press('Enter');
  await expect(playground.moreMenu.getByRole('menuitem').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(playground.moreMenu.getByRole('menuitem', { name: /^Room/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: /^Room/ })).toHaveAttribute('aria-selected', 'true');

  await page.setViewportSize({ width: 1440, height: 800 });
  await expect(playground.moreButton).toHaveCount(0);
  for (const name of ACTIONS) await expect(page.getByRole('banner').getByRole('button', { name, exact: true }), name).toBeVisible();
});
