import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { PlaygroundPage } from './pages/playground.ts';

/** Programs loaded in the kernel right now, as bpftool lists them. */
function kernelPrograms(): { id: number; name?: string }[] {
  return JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as { id: number; name?: string }[];
}

const HELLO = 'hello_execve.bpf.c';

test('opens with the first example loaded and says what to expect', async ({ playground }) => {
  const { editor, output, maps, statusBar } = playground;
  await expect(editor.fileTab(HELLO)).toHaveAttribute('aria-selected', 'true');
  expect(await editor.source(HELLO)).toContain('bpf_printk("invoke bpf_prog: %s\\n", msg);');
  await expect(editor.runButton).toBeEnabled();
  await expect(editor.stopButton).toBeDisabled();
  await playground.status.expectPhase('idle');

  // Empty states teach: what the example prints, how to make it happen; maps come after load.
  await expect(output.empty).toContainText('invoke bpf_prog: Hello, World!');
  await expect(output.empty).toContainText('Trigger exec');
  await maps.open();
  await expect(maps.empty).toContainText('Maps appear here after the program is loaded');

  await expect(statusBar).toContainText('Connected');
  await expect(statusBar).toContainText(/kernel \d+\.\d+/);
  await expect(statusBar).toContainText('BTF');
});

test('hello_execve prints Hello, World when a program starts', async ({ playground }) => {
  const { editor, output, status } = playground;
  await editor.run();
  await status.expectPhase('running');
  await expect(status.line).toContainText(/compile \d+ ms · load \d+ ms · attach \d+ ms/);

  // Trigger exec runs /bin/true on the server (other programs starting on this machine print too).
  await playground.triggerExec();
  await output.expectLine('invoke bpf_prog: Hello, World!');
  await expect(output.tab).toHaveAttribute('aria-selected', 'true');
});

test('execve_counter counts program starts in the maps pane', async ({ playground }) => {
  const { editor, maps, status } = playground;
  await playground.pickExample('Count execve in a hash map');
  await expect(editor.fileTab('execve_counter.bpf.c')).toHaveAttribute('aria-selected', 'true');

  // The seed the program depends on is prefilled, to be written after load and before attach.
  await maps.open();
  await expect(maps.seeds).toHaveCount(1);
  await expect(maps.seeds.getByRole('textbox', { name: 'Seed 1 key' })).toHaveValue('"execve_counter"');

  await editor.run();
  await status.expectPhase('running');
  await playground.triggerExec();
  await maps.expectEntry('execve_counter', '"execve_counter"');
  await expect.poll(() => maps.numberAt('execve_counter', '"execve_counter"')).toBeGreaterThan(0);
  const first = await maps.numberAt('execve_counter', '"execve_counter"');

  await playground.triggerExec();
  await playground.triggerExec();
  await expect.poll(() => maps.numberAt('execve_counter', '"execve_counter"')).toBeGreaterThanOrEqual(first + 2);
});

test('a syntax error shows as a problem and a marker at its line', async ({ playground }) => {
  const { editor, problems, status } = playground;
  const source = (await editor.source(HELLO))!;
  const lines = source.split('\n');
  // Drop the semicolon after bpf_printk(...): clang reports it where the statement should have ended.
  const printkLine = lines.findIndex((l) => l.includes('bpf_printk(')) + 1;
  lines[printkLine - 1] = lines[printkLine - 1]!.replace(');', ')');
  await editor.setSource(HELLO, lines.join('\n'));

  await editor.run();
  await status.expectPhase('error');
  await expect(playground.runError).toContainText('Compile failed');

  const problem = problems.at(HELLO, printkLine);
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText("expected ';'");
  await expect.poll(async () => (await editor.markers(HELLO)).filter((m) => m.severity === 8).map((m) => m.line)).toContain(printkLine);

  // Clicking the problem puts the cursor on its line, in its file.
  await problem.click();
  await expect.poll(() => editor.cursor()).toMatchObject({ line: printkLine });
  expect(await editor.activeFile()).toBe(HELLO);
});

test('Stop detaches: the kernel no longer has the program', async ({ playground }) => {
  const { editor, status, output } = playground;
  const before = new Set(kernelPrograms().map((p) => p.id));
  await editor.run();
  await status.expectPhase('running');
  await playground.triggerExec();
  await output.expectLine('invoke bpf_prog: Hello, World!');

  // Our program is in the kernel while it runs (other tests on this machine may load their own).
  const ours = () => kernelPrograms().filter((p) => p.name === 'bpf_prog' && !before.has(p.id));
  await expect.poll(() => ours().length).toBeGreaterThan(0);
  const ids = ours().map((p) => p.id);

  await editor.stop();
  await status.expectPhase('stopped');
  await expect(editor.stopButton).toBeDisabled();
  await expect.poll(() => kernelPrograms().filter((p) => ids.includes(p.id))).toEqual([]);
  expect(kernelPrograms().filter((p) => p.name === 'bpf_prog' && !before.has(p.id))).toEqual([]);
});

test('keyboard: Ctrl+Enter runs, Esc stops, Ctrl+S saves and a reload restores', async ({ playground, page }) => {
  const { editor, status } = playground;
  await editor.runWithKeyboard();
  await status.expectPhase('running');
  await page.keyboard.press('Escape');
  await status.expectPhase('stopped');

  const edited = `${(await editor.source(HELLO))!}\n/* edited in the e2e test */\n`;
  await editor.setSource(HELLO, edited);
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved changes');
  await editor.focus();
  await page.keyboard.press('Control+s');
  await expect(page.getByTestId('status-message')).toContainText("Saved to this browser's storage");
  await expect(page.getByTestId('save-state')).toContainText('Saved in this browser');

  await page.reload();
  await expect.poll(() => page.evaluate(() => window.__playground?.getSource('hello_execve.bpf.c') ?? null)).toBe(edited);
});

test('a dropped connection shows a banner, reconnects by itself, and keeps the code and the program', async ({ page }) => {
  // Every socket goes through the test, so the test can cut one as a flaky network would.
  const sockets: { drop(): Promise<void> }[] = [];
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    const server = ws.connectToServer();
    // 4999: not a deliberate close (1000/1001), so the server keeps the session for its grace period.
    // The page's side closes first: the page then sends nothing more, and nothing it sent meets a
    // server socket that is already closed (Chromium logs that as a console error).
    const reason = 'Dropped by the test.';
    sockets.push({
      drop: async () => {
        await ws.close({ code: 4999, reason });
        await server.close({ code: 4999, reason });
      },
    });
  });
  const playground = await PlaygroundPage.open(page);
  const { editor, status, output, statusBar } = playground;
  await expect(statusBar).toContainText('Connected');
  const edited = `${(await editor.source(HELLO))!}\n/* typed before the connection dropped */\n`;
  await editor.setSource(HELLO, edited);
  await editor.run();
  await status.expectPhase('running');

  await sockets[0]!.drop();
  await expect(page.getByTestId('connection-banner')).toContainText('reconnecting');
  await expect(page.getByTestId('connection-banner')).toBeHidden();
  await expect(statusBar).toContainText('Connected');
  expect(sockets.length).toBeGreaterThan(1);
  expect(await editor.source(HELLO)).toBe(edited);

  // The session was resumed: the same program still runs and still prints.
  await status.expectPhase('running');
  await output.filter.fill('Hello, World');
  await playground.triggerExec();
  await output.expectLine('invoke bpf_prog: Hello, World!');
});

test('maps: write an entry, see the server refuse a bad one, delete it', async ({ playground, page }) => {
  const { editor, maps, status } = playground;
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  const card = maps.card('execve_counter');

  // The form follows the BTF types: the char[64] key is text, the u64 value a number.
  await maps.field('execve_counter', 'Key for execve_counter').fill('from_the_test');
  await maps.field('execve_counter', 'Value for execve_counter').fill('1234567');
  await maps.updateEntry('execve_counter');
  await maps.expectEntry('execve_counter', '"from_the_test"', '1,234,567');

  // The JSON editor takes anything; the server checks it against the BTF type and says why in a sentence.
  await maps.useJsonEditor('execve_counter');
  await expect(card.getByRole('textbox', { name: 'Value for execve_counter' })).toHaveValue('1234567');
  await card.getByRole('textbox', { name: 'Value for execve_counter' }).fill('"not a number"');
  await card.getByRole('button', { name: 'Update entry' }).click();
  await expect(maps.formError('execve_counter')).toContainText('whole number');
  await expect(maps.entry('execve_counter', '"from_the_test"').getByTestId('map-value')).toHaveText('1,234,567');

  await page.getByRole('button', { name: 'Delete "from_the_test" from execve_counter' }).click();
  await expect(maps.entry('execve_counter', '"from_the_test"')).toHaveCount(0);
  await maps.expectEntry('execve_counter', '"execve_counter"');
});

test('a verifier rejection marks the offending C line, explains it and links to it', async ({ playground, page }) => {
  const { editor, status, problems, verifier } = playground;
  const { file, source: unchecked } = await playground.openCounterWithoutNullCheck();
  const line = unchecked.split('\n').findIndex((l) => l.includes('*v += 1;')) + 1;
  // Look elsewhere first: the rejection must bring the file and the line back into view.
  await editor.focus();
  await page.keyboard.press('Control+Home');
  await editor.run();

  await status.expectPhase('error');
  await expect(playground.runError).toContainText('Load failed: the verifier rejected the program');
  await expect(page.getByRole('tab', { name: 'Verifier log' })).toContainText('the load failed');

  // The line is an error marker and a highlighted line, and a problem in the list.
  await expect.poll(() => editor.highlightedLines(file)).toEqual([line]);
  await expect.poll(async () => (await editor.markers(file)).filter((m) => m.severity === 8).map((m) => m.line)).toContain(line);
  await expect(problems.at(file, line)).toContainText('may be NULL');
  await expect(problems.at(file, line)).toContainText('verifier');
  expect(await editor.activeFile()).toBe(file);

  // The error line links to the C line.
  await page
    .getByRole('button', { name: `${file}:${line}` })
    .first()
    .click();
  await expect.poll(() => editor.cursor()).toMatchObject({ line });

  // The Verifier log says what went wrong and what to change, above the raw log.
  await page.getByRole('button', { name: 'Show the log' }).click();
  await expect(verifier.tab).toHaveAttribute('aria-selected', 'true');
  await expect(verifier.explanation).toContainText('bpf_map_lookup_elem');
  await expect(verifier.hint).toContainText('Check the pointer before using it');
  await expect(verifier.hint).toContainText('if (!v) return 0;');
  await expect(page.getByTestId('log-text')).toBeVisible();
});

test('Inspect shows the disassembly and the skeleton of hello_execve', async ({ playground }) => {
  const { editor, status, inspect } = playground;
  await editor.run();
  await status.expectPhase('running');

  await inspect.show('Disassembly');
  await expect.poll(() => inspect.disassembly()).toContain('call bpf_trace_printk');
  // The C source is interleaved with the instructions.
  expect(await inspect.disassembly()).toContain('bpf_printk("invoke bpf_prog: %s\\n", msg);');

  await inspect.show('Skeleton');
  await expect.poll(() => inspect.skeleton()).toContain('struct hello_execve {');

  await inspect.show('Sections');
  await expect(inspect.sections.getByRole('row', { name: /tracepoint\/syscalls\/sys_enter_execve/ }).first()).toBeVisible();

  // The kernel's figures read as a sentence too, once the first reading is in.
  await inspect.show('Stats');
  await expect(playground.page.getByTestId('stat-sentence').first()).toHaveText(
    /^bpf_prog (ran [\d,]+ times?, [\d,]+ [nµm]?s each on average|has not run yet)/,
  );
});

test('Inspect links each C line of hello_execve with its instructions, both ways', async ({ playground }) => {
  const { editor, status, inspect, page } = playground;
  const file = 'hello_execve.bpf.c';
  const lines = (await editor.source(file))!.split('\n');
  const printkLine = lines.findIndex((l) => l.includes('bpf_printk(')) + 1;
  const returnLine = lines.findIndex((l) => l.includes('return 0;')) + 1;
  await editor.run();
  await status.expectPhase('running');
  await inspect.show('Disassembly');
  await expect.poll(() => inspect.disassembly()).toContain('call bpf_trace_printk#6');
  // The rows of a C line: its text as objdump interleaves it, down to the row before the next C line's.
  const rows = (await inspect.disassembly())!.split('\n');
  const rowsFrom = (first: number) => {
    const last = rows.findIndex((r, i) => i > first && (r.startsWith(';') || r === ''));
    return Array.from({ length: (last === -1 ? rows.length : last) - first }, (_, i) => first + 1 + i);
  };
  const printkRows = rowsFrom(rows.findIndex((r) => r.includes('bpf_printk(')));
  expect(printkRows.map((r) => rows[r - 1]).at(-1)).toMatch(/call bpf_trace_printk#6$/);

  // The helper call under the mouse lights the bpf_printk line in the editor, and the line's instructions.
  await inspect.pointAt('disassembly-text', 'bpf_trace_printk#6');
  await expect.poll(() => editor.linkedLines(file)).toEqual([printkLine]);
  await expect.poll(() => inspect.linkedRows('disassembly-text')).toEqual(printkRows);

  // A C line under the mouse lights its instructions; the editor lights nothing itself.
  await editor.pointAt('return');
  await expect.poll(() => inspect.linkedRows('disassembly-text')).toEqual(rowsFrom(rows.findIndex((r) => r.includes('return 0;'))));
  expect(await editor.linkedLines(file)).toEqual([]);

  // A click on an instruction puts the editor's cursor on its line; with the mouse away, that line's instructions stay lit.
  await inspect.click('disassembly-text', 'bpf_trace_printk#6');
  await expect.poll(async () => (await editor.cursor())?.line).toBe(printkLine);
  await page.mouse.move(0, 0);
  await expect.poll(() => inspect.linkedRows('disassembly-text')).toEqual(printkRows);
  expect(await editor.linkedLines(file)).toEqual([]);

  // The translated program links the same way, from the BTF line info.
  await inspect.show('After load');
  await expect.poll(() => inspect.translated()).toMatch(/\(85\) call bpf_trace_printk#/);
  await inspect.pointAt('xlated-text', 'call bpf_trace_printk#');
  await expect.poll(() => editor.linkedLines(file)).toEqual([printkLine]);
  await inspect.pointAt('xlated-text', 'r0 = 0');
  await expect.poll(() => editor.linkedLines(file)).toEqual([returnLine]);
});

test('open_events_ringbuf streams decoded records to the Events tab', async ({ playground }) => {
  const { editor, status, events } = playground;
  await events.open();
  await expect(events.empty).toContainText('open_events_ringbuf');

  await playground.pickExample('Ring buffer: one record per openat');
  await editor.run();
  await status.expectPhase('running');
  // Every openat on the machine sends a record: look for the one the button makes.
  await events.filter.fill('/etc/hostname');
  await playground.openAFile();
  const row = events.row('filename', '/etc/hostname').first();
  await expect(row).toBeVisible();
  await expect(events.field(row, 'comm')).toHaveText(/\S/);
  // A pid is a name, not a quantity: no thousands separators.
  await expect(events.field(row, 'pid')).toHaveText(/^\d+$/);
  await expect(playground.page.getByTestId('event-counts')).toContainText('record');
});

test('the status bar shows what this host can attach, and a kprobe warns before Run', async ({ playground }) => {
  test.skip(existsSync('/sys/kernel/tracing/kprobe_events'), 'this kernel has kprobes');
  const { editor, capabilities } = playground;
  await expect(capabilities).toContainText('tracepoint ✓');
  await expect(capabilities).toContainText('kprobe ✗');
  await capabilities.click();
  await expect(playground.page.getByRole('dialog', { name: 'Program kinds on this host' })).toContainText('CONFIG_KPROBES');
  await playground.page.keyboard.press('Escape');

  await expect(editor.capabilityWarning).toBeHidden();
  const source = (await editor.source(HELLO))!;
  await editor.setSource(HELLO, source.replace('SEC("tracepoint/syscalls/sys_enter_execve")', 'SEC("kprobe/do_sys_openat2")'));
  await expect(editor.capabilityWarning).toContainText('SEC("kprobe/do_sys_openat2")');
  await expect(editor.capabilityWarning).toContainText('kprobes are not available');
});

test('a program in two files: a header added in a new tab is included, runs, and is saved', async ({ playground, page }) => {
  const { editor, status, output } = playground;
  await editor.addFile('greeting.h');
  // The server's naming rule is checked before Run.
  await page.getByRole('button', { name: 'Add a file' }).click();
  await page.getByRole('textbox', { name: 'New file name' }).fill('bad name.txt');
  await page.getByRole('textbox', { name: 'New file name' }).press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'end the name in .c or .h' })).toBeVisible();
  await page.getByRole('textbox', { name: 'New file name' }).press('Escape');

  await editor.setSource('greeting.h', '#pragma once\nstruct greeting {\n\tchar text[16];\n};\n#define GREETING_PREFIX "two files"\n');
  const source = (await editor.source(HELLO))!;
  const twoFiles = source
    .replace('#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_helpers.h>\n#include "greeting.h"')
    .replace('char msg[] = "Hello, World!";', 'struct greeting g = { .text = "Hello, header" };')
    .replace('bpf_printk("invoke bpf_prog: %s\\n", msg);', 'bpf_printk(GREETING_PREFIX ": %s\\n", g.text);');
  expect(twoFiles).toContain('#include "greeting.h"');
  await editor.setSource(HELLO, twoFiles);

  await editor.run();
  await status.expectPhase('running');
  await playground.triggerExec();
  await output.expectLine('two files: Hello, header');

  // The set of files is saved with the rest of the work.
  await editor.focus();
  await page.keyboard.press('Control+s');
  await page.reload();
  await expect.poll(() => page.evaluate(() => window.__playground?.files() ?? [])).toEqual([HELLO, 'greeting.h']);
});

test('a policy refusal lists the broken rule in the log, not as a compile problem', async ({ playground, page }) => {
  const { editor, status, problems, verifier } = playground;
  await playground.pickExample('Count execve in a hash map');
  const file = 'execve_counter.bpf.c';
  const source = (await editor.source(file))!;
  // bpf_send_signal(9) from a tracepoint would kill whatever runs exec: the host's policy denies the helper.
  const signalling = source.replace(/(\*v \+= 1;)/, '$1\n\t\tbpf_send_signal(9);');
  expect(signalling).not.toBe(source);
  await editor.setSource(file, signalling);
  await editor.run();

  await status.expectPhase('error');
  await expect(playground.runError).toContainText('calls bpf_send_signal, which the playground does not allow');
  await page.getByRole('button', { name: 'Show the log' }).click();
  await expect(verifier.tab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('policy-refusal')).toContainText('bpf_send_signal');
  // Nothing is pinned to line 1 of the file any more.
  await expect(problems.at(file, 1)).toHaveCount(0);
});

test('opening another example stops the running program and drops its seeds; Undo brings its text and seeds back', async ({ playground }) => {
  const { editor, maps, status } = playground;
  const COUNTER = 'execve_counter.bpf.c';
  await playground.pickExample('Count execve in a hash map');
  const edited = (await editor.source(COUNTER))!.replace('Count execve calls', 'My own count of execve calls');
  await editor.setSource(COUNTER, edited);
  await maps.open();
  await expect(maps.seeds).toHaveCount(1);
  await editor.run();
  await status.expectPhase('running');

  await playground.pickExample('Hello, execve');
  await status.expectPhase('stopped');
  await expect(playground.openedMessage).toContainText('Opened "Hello, execve" and stopped the program that was running.');
  await expect(editor.fileTab(HELLO)).toHaveAttribute('aria-selected', 'true');
  expect(await editor.files()).toEqual([HELLO]);
  await expect(maps.seeds).toHaveCount(0);

  await playground.openedMessage.getByRole('button', { name: 'Undo' }).click();
  await expect(playground.page.getByTestId('status-message')).toHaveText('Your previous files and seeds are back.');
  await expect.poll(() => editor.source(COUNTER)).toBe(edited);
  await expect(maps.seeds).toHaveCount(1);
  await expect(maps.seeds.getByRole('textbox', { name: 'Seed 1 key' })).toHaveValue('"execve_counter"');
  // Undo brings the text back, not the run: the stopped program stays stopped.
  await status.expectPhase('stopped');
});
