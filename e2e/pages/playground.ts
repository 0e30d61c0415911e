import { readFile } from 'node:fs/promises';
import { expect, type Locator, type Page } from '@playwright/test';
import type { ChartState, PlaygroundTestHook } from '../../app/common/test-hook.ts';

type Phase = 'idle' | 'queued' | 'compiling' | 'booting' | 'loading' | 'attaching' | 'running' | 'stopped' | 'error';

/** The editor: files, their text (through the page's test hook, not Monaco's DOM), Run and Stop. */
export class Editor {
  readonly surface: Locator;
  readonly runButton: Locator;
  readonly stopButton: Locator;

  constructor(private readonly page: Page) {
    this.surface = page.getByTestId('code-editor');
    this.runButton = page.getByRole('button', { name: 'Run', exact: true });
    this.stopButton = page.getByRole('button', { name: 'Stop', exact: true });
  }

  fileTab(name: string): Locator {
    return this.page.getByRole('tablist', { name: 'Files' }).getByRole('tab', { name });
  }

  async run(): Promise<void> {
    await this.runButton.click();
  }

  /**
   * Presses Run `times` times in one go, as a user hammering it does. Playwright's own clicks each
   * wait for the page, which on a busy machine takes longer than the server's window takes to refill.
   */
  async runRepeatedly(times: number): Promise<void> {
    await expect(this.runButton).toBeEnabled();
    await this.runButton.evaluate((button, n) => {
      for (let press = 0; press < n; press++) (button as HTMLButtonElement).click();
    }, times);
  }

  /**
   * Starts watching the Run button's countdown ("Run in 3 s") in the page itself, so that a short
   * one is seen whole however slow the test's round trips are. The returned call resolves, once the
   * countdown has come and gone, with what the button showed, in order.
   */
  async watchRunCountdown(): Promise<() => Promise<{ text: string; disabled: boolean }[]>> {
    const watch = await this.runButton.evaluateHandle((button) => {
      const shown: { text: string; disabled: boolean }[] = [];
      let finish: (value: typeof shown) => void = () => {};
      const finished = new Promise<typeof shown>((resolve) => {
        finish = resolve;
      });
      const observer = new MutationObserver(() => {
        const countdown = button.querySelector('[data-testid="run-wait"]');
        const now = { text: countdown?.textContent ?? '', disabled: (button as HTMLButtonElement).disabled };
        if (countdown) {
          const last = shown.at(-1);
          if (last?.text !== now.text || last.disabled !== now.disabled) shown.push(now);
        } else if (shown.length) {
          observer.disconnect();
          finish(shown);
        }
      });
      observer.observe(button, { subtree: true, childList: true, characterData: true, attributes: true });
      return { finished };
    });
    return () => watch.evaluate((w) => w.finished);
  }

  async stop(): Promise<void> {
    await this.stopButton.click();
  }

  /** Ctrl+Enter with the focus in the editor, as a user would. */
  async runWithKeyboard(): Promise<void> {
    await this.focus();
    await this.page.keyboard.press('Control+Enter');
  }

  async focus(): Promise<void> {
    await this.surface.locator('.monaco-editor').click({ position: { x: 200, y: 40 } });
  }

  /** Ctrl+Z with the focus in the editor. */
  async undo(): Promise<void> {
    await this.focus();
    await this.page.keyboard.press('Control+z');
  }

  async files(): Promise<string[]> {
    return this.page.evaluate(() => window.__playground!.files());
  }

  async source(file: string): Promise<string | null> {
    return this.page.evaluate((f) => window.__playground!.getSource(f), file);
  }

  async setSource(file: string, text: string): Promise<void> {
    const ok = await this.page.evaluate(([f, t]) => window.__playground!.setSource(f, t), [file, text] as const);
    expect(ok, `the editor has a file named ${file}`).toBe(true);
  }

  async cursor(): Promise<ReturnType<PlaygroundTestHook['cursor']>> {
    return this.page.evaluate(() => window.__playground!.cursor());
  }

  async activeFile(): Promise<string | null> {
    return this.page.evaluate(() => window.__playground!.activeFile());
  }

  async markers(file: string): Promise<ReturnType<PlaygroundTestHook['markers']>> {
    return this.page.evaluate((f) => window.__playground!.markers(f), file);
  }

  /** Lines lit up as where the verifier stopped. */
  async highlightedLines(file: string): Promise<number[]> {
    return this.page.evaluate((f) => window.__playground!.highlightedLines(f), file);
  }

  /** Lines lit up as the C line of the instruction under the mouse in Inspect. */
  async linkedLines(file: string): Promise<number[]> {
    return this.page.evaluate((f) => window.__playground!.linkedLines(f), file);
  }

  /** Moves the mouse onto the first line of the shown file that holds `text`. */
  async pointAt(text: string): Promise<void> {
    await this.surface.getByText(text).first().hover();
  }

  /** Adds a file with the + button, as a user names it. */
  async addFile(name: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Add a file' }).click();
    const field = this.page.getByRole('textbox', { name: 'New file name' });
    await field.fill(name);
    await field.press('Enter');
    await expect(this.fileTab(name)).toHaveAttribute('aria-selected', 'true');
  }

  /** The warning above the editor about SEC() kinds this host cannot run. */
  get capabilityWarning(): Locator {
    return this.page.getByTestId('capability-warning');
  }
}

/** Text of a read-only view (disassembly, skeleton…) through the page's test hook; null while it is not shown. */
function readOnlyText(page: Page, testId: string): Promise<string | null> {
  return page.evaluate((id) => window.__playground?.readOnlyText(id) ?? null, testId);
}

/** The run's state line in the top bar. */
export class RunStatus {
  readonly line: Locator;

  constructor(page: Page) {
    this.line = page.getByTestId('run-status');
  }

  async expectPhase(phase: Phase, timeout = 30_000): Promise<void> {
    await expect(this.line).toHaveAttribute('data-phase', phase, { timeout });
  }
}

/** The Output tab: bpf_printk lines. */
export class Output {
  readonly tab: Locator;
  readonly lines: Locator;
  readonly empty: Locator;
  readonly filter: Locator;

  constructor(page: Page) {
    this.tab = page.getByRole('tab', { name: 'Output' });
    this.lines = page.getByTestId('trace-line');
    this.empty = page.getByTestId('output-empty');
    this.filter = page.getByRole('searchbox', { name: 'Filter output' });
  }

  async open(): Promise<void> {
    await this.tab.click();
  }

  /** A line with this text (and, when given, from this command) is shown. */
  async expectLine(text: string, options: { comm?: string; timeout?: number } = {}): Promise<void> {
    let line = this.lines.filter({ hasText: text });
    if (options.comm)
      line = line.filter({
        has: this.lines
          .page()
          .getByTestId('trace-comm')
          .filter({ hasText: new RegExp(`^${options.comm}$`) }),
      });
    await expect(line.first()).toBeVisible({ timeout: options.timeout ?? 15_000 });
  }
}

/** The program's globals (.rodata, .bss, …), one folded entry below its maps. */
export class Globals {
  readonly region: Locator;
  readonly toggle: Locator;

  constructor(page: Page) {
    this.region = page.getByRole('region', { name: 'globals', exact: true });
    this.toggle = this.region.getByRole('button', { name: /^.?\s*globals/ });
  }

  /** Unfolds them (left open when they are). */
  async open(): Promise<void> {
    await expect(this.toggle).toBeVisible();
    if ((await this.toggle.getAttribute('aria-expanded')) !== 'true') await this.toggle.click();
    await expect(this.toggle).toHaveAttribute('aria-expanded', 'true');
  }
}

/** The Maps tab: maps of the loaded program and their entries, its globals, and the seeds. */
export class Maps {
  readonly tab: Locator;
  readonly empty: Locator;
  readonly seeds: Locator;
  readonly globals: Globals;

  constructor(private readonly page: Page) {
    this.tab = page.getByRole('tab', { name: 'Maps' });
    this.empty = page.getByTestId('maps-empty');
    this.seeds = page.getByTestId('seed-row');
    this.globals = new Globals(page);
  }

  async open(): Promise<void> {
    await this.tab.click();
  }

  card(map: string): Locator {
    return this.page.getByRole('region', { name: map, exact: true });
  }

  entry(map: string, key: string): Locator {
    return this.card(map)
      .getByTestId('map-entry')
      .filter({ has: this.page.getByTestId('map-key').getByText(key, { exact: true }) });
  }

  async expectEntry(map: string, key: string, value?: string): Promise<void> {
    const entry = this.entry(map, key);
    await expect(entry).toBeVisible();
    if (value !== undefined) await expect(entry.getByTestId('map-value')).toHaveText(value);
  }

  /** The entry's value as a number ("1,204" reads 1204). */
  async numberAt(map: string, key: string): Promise<number> {
    const text = await this.entry(map, key).getByTestId('map-value').textContent();
    return Number((text ?? '').replace(/,/g, ''));
  }

  /** Switches a map's card to a view: Table, Time series, Top 10, Histogram. */
  async showView(map: string, view: 'Table' | 'Time series' | 'Top 10' | 'Histogram'): Promise<void> {
    const radio = this.card(map)
      .getByRole('radiogroup', { name: `View of ${map}` })
      .getByRole('radio', { name: view });
    await radio.click();
    await expect(radio).toBeChecked();
  }

  /** What the map's chart holds, through the page's test hook (not the canvas's pixels); null when none is shown. */
  chart(map: string): Promise<ChartState | null> {
    return this.page.evaluate((m) => window.__playground?.chart(m) ?? null, map);
  }

  /** The bars of a map's histogram. */
  histogramBars(map: string): Locator {
    return this.card(map)
      .getByRole('table', { name: `Histogram of ${map}` })
      .getByTestId('bar');
  }

  /** Clicks an entry's Edit, which fills the entry form with it. */
  async edit(map: string, key: string): Promise<void> {
    await this.card(map)
      .getByRole('button', { name: `Edit ${key} in ${map}` })
      .click();
  }

  /** An input of the entry form, by its accessible name ("Value for execve_counter"). */
  field(map: string, name: string): Locator {
    return this.card(map)
      .getByRole('form', { name: `Write an entry to ${map}` })
      .getByLabel(name, { exact: true });
  }

  async useJsonEditor(map: string): Promise<void> {
    await this.card(map)
      .getByRole('radiogroup', { name: `Editor for ${map}` })
      .getByRole('radio', { name: 'JSON' })
      .click();
  }

  async updateEntry(map: string): Promise<void> {
    await this.card(map).getByRole('button', { name: 'Update entry' }).click();
  }

  formError(map: string): Locator {
    return this.card(map)
      .getByRole('form', { name: `Write an entry to ${map}` })
      .getByRole('alert');
  }

  /** Clicks "Export <map> as CSV/JSON" and returns the downloaded file's text. */
  async export(map: string, format: 'CSV' | 'JSON'): Promise<{ name: string; text: string }> {
    return download(this.page, this.card(map).getByRole('button', { name: `Export ${map} as ${format}` }));
  }
}

/** Clicks a button that downloads a file and returns the file's name and text. */
async function download(page: Page, button: Locator): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { name: file.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

/** The Events tab: records from ring buffers and perf buffers. */
export class Events {
  readonly tab: Locator;
  readonly rows: Locator;
  readonly empty: Locator;
  readonly filter: Locator;

  constructor(private readonly page: Page) {
    this.tab = page.getByRole('tab', { name: /^Events/ });
    this.rows = page.getByTestId('event-row');
    this.empty = page.getByTestId('events-empty');
    this.filter = page.getByRole('searchbox', { name: 'Filter events' });
  }

  async open(): Promise<void> {
    await this.tab.click();
  }

  /** A record whose decoded field has this text. */
  row(field: string, text: string): Locator {
    return this.rows.filter({ has: this.page.locator(`[data-field="${field}"]`, { hasText: text }) });
  }

  field(row: Locator, field: string): Locator {
    return row.locator(`[data-field="${field}"]`);
  }

  /** Clicks "Export events from <map> as CSV/JSON" and returns the downloaded file's text. */
  async export(map: string, format: 'CSV' | 'JSON'): Promise<{ name: string; text: string }> {
    return download(this.page, this.page.getByRole('button', { name: `Export events from ${map} as ${format}` }));
  }
}

/** The Inspect tab and its views: sections, disassembly, BTF, skeleton, loaded code, stats. */
/** The code views of Inspect whose rows link to C lines. */
type CodeView = 'disassembly-text' | 'xlated-text';

export class Inspect {
  readonly tab: Locator;

  constructor(private readonly page: Page) {
    this.tab = page.getByRole('tab', { name: /^Inspect/ });
  }

  async show(view: 'Sections' | 'Disassembly' | 'BTF' | 'Skeleton' | 'After load' | 'Stats'): Promise<void> {
    await this.tab.click();
    await this.page.getByRole('radiogroup', { name: 'What to inspect' }).getByRole('radio', { name: view }).click();
  }

  /** The disassembly with source, once it has arrived and is shown. */
  disassembly(): Promise<string | null> {
    return readOnlyText(this.page, 'disassembly-text');
  }

  skeleton(): Promise<string | null> {
    return readOnlyText(this.page, 'skeleton-text');
  }

  /** The translated code of the program shown in After load. */
  translated(): Promise<string | null> {
    return readOnlyText(this.page, 'xlated-text');
  }

  /** Moves the mouse onto the first row of a code view (disassembly, translated) that holds `text`. */
  async pointAt(view: CodeView, text: string | RegExp): Promise<void> {
    await this.page.getByTestId(view).getByText(text).first().hover();
  }

  async click(view: CodeView, text: string | RegExp): Promise<void> {
    await this.page.getByTestId(view).getByText(text).first().click();
  }

  /** The rows a code view lights as the linked C line's (1-based), or null while it is not shown. */
  linkedRows(view: CodeView): Promise<number[] | null> {
    return this.page.evaluate((id) => window.__playground?.readOnlyLinkedRows(id) ?? null, view);
  }

  get sections(): Locator {
    return this.page.getByRole('table', { name: 'ELF sections' });
  }
}

/** The Verifier log tab: the explanation of a rejection above the raw log. */
export class VerifierLog {
  readonly tab: Locator;
  readonly explanation: Locator;
  readonly hint: Locator;

  constructor(page: Page) {
    this.tab = page.getByRole('tab', { name: /^Verifier log/ });
    this.explanation = page.getByTestId('verifier-explanation');
    this.hint = page.getByTestId('verifier-hint');
  }

  async open(): Promise<void> {
    await this.tab.click();
  }
}

/** The problems list under the editor. */
export class Problems {
  readonly items: Locator;
  readonly count: Locator;
  /** The one-click fix beside a legacy map's problem. */
  readonly convertButton: Locator;
  /** What the last fix did. */
  readonly note: Locator;

  constructor(page: Page) {
    this.items = page.getByTestId('problem');
    this.count = page.getByTestId('problems-count');
    const region = page.getByRole('region', { name: 'Problems' });
    this.convertButton = region.getByRole('button', { name: /^Convert / });
    this.note = region.getByRole('status');
  }

  at(file: string, line: number): Locator {
    return this.items.filter({ hasText: `${file}:${line}:` });
  }
}

/** The whole page, named for what a user does on it. */
export class PlaygroundPage {
  readonly editor: Editor;
  readonly status: RunStatus;
  readonly output: Output;
  readonly maps: Maps;
  readonly problems: Problems;
  readonly events: Events;
  readonly inspect: Inspect;
  readonly verifier: VerifierLog;
  readonly runError: Locator;
  /** Why the last Run was turned down (the program already running is untouched). */
  readonly runRefusal: Locator;
  readonly statusBar: Locator;
  /** The status bar's connection state: Connected, Reconnecting… */
  readonly connection: Locator;
  readonly capabilities: Locator;
  /** The sentence about a shared program: opened (press Run), or why it could not be. */
  readonly shareBanner: Locator;
  readonly shareButton: Locator;
  /** Which kernel the next Run loads into (shown when the server offers more than one). */
  readonly kernelPicker: Locator;

  private constructor(readonly page: Page) {
    this.editor = new Editor(page);
    this.status = new RunStatus(page);
    this.output = new Output(page);
    this.maps = new Maps(page);
    this.problems = new Problems(page);
    this.events = new Events(page);
    this.inspect = new Inspect(page);
    this.verifier = new VerifierLog(page);
    this.runError = page.getByTestId('run-error');
    this.runRefusal = page.getByTestId('run-refusal');
    this.statusBar = page.getByTestId('statusbar');
    this.connection = page.getByTestId('connection-status');
    this.capabilities = page.getByTestId('host-capabilities');
    this.shareBanner = page.getByTestId('share-banner');
    this.shareButton = page.getByRole('button', { name: 'Share', exact: true });
    this.kernelPicker = page.getByTestId('kernel-picker');
  }

  /** Opens the page (at `address`: a share link, an embed) and waits until the editor holds files. */
  static async open(page: Page, address = '/'): Promise<PlaygroundPage> {
    await page.goto(address);
    const playground = new PlaygroundPage(page);
    await expect(playground.editor.surface.locator('.monaco-editor')).toBeVisible();
    await expect.poll(() => page.evaluate(() => window.__playground?.files().length ?? 0)).toBeGreaterThan(0);
    return playground;
  }

  /**
   * From the next page load on, remembers every name the Files tabs show, however briefly:
   * what the editor held before it settled. Call before open(); read with fileTabsSeen().
   */
  static async recordFileTabs(page: Page): Promise<void> {
    await page.addInitScript(() => {
      const seen = new Set<string>();
      (window as unknown as { __fileTabsSeen: Set<string> }).__fileTabsSeen = seen;
      new MutationObserver(() => {
        for (const tab of document.querySelectorAll('[role="tablist"][aria-label="Files"] [role="tab"]')) seen.add(tab.textContent ?? '');
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
  }

  async fileTabsSeen(): Promise<string[]> {
    return this.page.evaluate(() => [...(window as unknown as { __fileTabsSeen: Set<string> }).__fileTabsSeen]);
  }

  /** The short message with Undo that opening an example, a lesson or a room's push leaves. */
  get openedMessage(): Locator {
    return this.page.getByTestId('status-message').filter({ has: this.page.getByRole('button', { name: 'Undo' }) });
  }

  async pickExample(title: string): Promise<void> {
    await this.page.getByRole('button', { name: /^Examples/ }).click();
    await this.page.getByRole('menuitemradio', { name: title }).click();
  }

  /**
   * Opens the execve counter with its NULL check removed, so the verifier refuses the dereference.
   * Returns the file and the source now in the editor.
   */
  async openCounterWithoutNullCheck(): Promise<{ file: string; source: string }> {
    await this.pickExample('Count execve in a hash map');
    const file = 'execve_counter.bpf.c';
    const source = (await this.editor.source(file))!;
    const unchecked = source.replace(/\n\s*if \(v != NULL\)\n/, '\n');
    expect(unchecked).not.toBe(source);
    await this.editor.setSource(file, unchecked);
    return { file, source: unchecked };
  }

  /**
   * A top-bar action to click: its button, or, where the bar is too narrow for
   * it and folded it into More, its item there (More opened). `item` is the
   * item's title when it differs from the button's name.
   */
  topBarAction(name: string, item = name): Promise<Locator> {
    return topBarAction(this.page, name, item);
  }

  /** The top bar's More: the actions it has no room for at this width (absent when it has room for all). */
  get moreButton(): Locator {
    return moreButton(this.page);
  }

  get moreMenu(): Locator {
    return moreMenu(this.page);
  }

  async triggerExec(): Promise<void> {
    await (await this.topBarAction('Trigger exec')).click();
  }

  async openAFile(): Promise<void> {
    await (await this.topBarAction('Open a file')).click();
  }

  async openLessons(): Promise<void> {
    await (await this.topBarAction('Lessons')).click();
  }

  /** The Room button (or item), "Room" or "Room CODE" once in one. */
  async openRoom(label = 'Room'): Promise<void> {
    await (await this.topBarAction(label)).click();
  }

  /** Clicks Share and returns the two links the popover shows. */
  async share(): Promise<{ link: string; embed: string }> {
    await (await this.topBarAction('Share')).click();
    const dialog = this.shareDialog;
    const link = dialog.getByRole('textbox', { name: 'Link', exact: true });
    await expect(link).toHaveValue(/\?share=/);
    return { link: await link.inputValue(), embed: await dialog.getByRole('textbox', { name: 'Embed link' }).inputValue() };
  }

  get shareDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Share' });
  }

  /** Picks C or Go from the Export menu and returns the downloaded zip's name and bytes. */
  async exportProject(language: 'C' | 'Go' = 'C'): Promise<{ name: string; bytes: Buffer }> {
    const exportButton = this.page.getByRole('banner').getByRole('button', { name: 'Export', exact: true });
    let item: Locator;
    if (await exportButton.count()) {
      await exportButton.click();
      item = this.page.getByRole('menu', { name: 'Export as' }).getByRole('menuitem', { name: new RegExp(`^${language} project`) });
    } else {
      item = await this.topBarAction('Export', `Export as ${language} project`);
    }
    const [file] = await Promise.all([this.page.waitForEvent('download'), item.click()]);
    const path = await file.path();
    return { name: file.suggestedFilename(), bytes: await readFile(path) };
  }
}

/** See {@link PlaygroundPage.topBarAction}. */
export async function topBarAction(page: Page, name: string, item = name): Promise<Locator> {
  const button = page.getByRole('banner').getByRole('button', { name, exact: true });
  if (await button.count()) return button;
  await moreButton(page).click();
  // Export's item is one of two (C, Go): the first stands for them.
  return moreMenu(page)
    .getByRole('menuitem', { name: new RegExp(`^${escapeRegExp(item)}`) })
    .first();
}

function moreButton(page: Page): Locator {
  return page.getByRole('banner').getByRole('button', { name: 'More', exact: true });
}

function moreMenu(page: Page): Locator {
  return page.getByRole('menu', { name: 'More actions' });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
