import { expect, test } from './fixtures.ts';
import type { PlaygroundPage } from './pages/playground.ts';

const HELLO = 'hello_execve.bpf.c';
/** Monaco's MarkerSeverity.Error. */
const ERROR = 8;

/** The lines of the file that carry an error marker. */
async function errorLines(playground: PlaygroundPage, file: string): Promise<number[]> {
  return (await playground.editor.markers(file)).filter((m) => m.severity === ERROR).map((m) => m.line);
}

/** The example's source with the semicolon after bpf_printk(...) dropped, and that line. */
async function withoutSemicolon(playground: PlaygroundPage): Promise<{ text: string; line: number }> {
  const lines = (await playground.editor.source(HELLO))!.split('\n');
  const line = lines.findIndex((l) => l.includes('bpf_printk(')) + 1;
  lines[line - 1] = lines[line - 1]!.replace(');', ')');
  return { text: lines.join('\n'), line };
}

test('a compile error shows as a marker and in Problems while typing, without Run; typing the fix clears them', async ({ playground, page }) => {
  const { editor, problems, status } = playground;
  const { text, line } = await withoutSemicolon(playground);
  await editor.setSource(HELLO, text);

  // The pause compiles ahead: its error arrives where a Run's would, and nothing runs.
  const problem = problems.at(HELLO, line);
  await expect(problem).toContainText("expected ';'");
  await expect(problems.count).toHaveText('1 error, 0 warnings');
  await expect.poll(() => errorLines(playground, HELLO)).toEqual([line]);
  await status.expectPhase('idle');
  await expect(playground.runError).toHaveCount(0);

  // The problem puts the cursor on its line; the missing ';' typed there is the fix.
  await problem.click();
  await expect.poll(() => editor.cursor()).toMatchObject({ line });
  await page.keyboard.press('End');
  await page.keyboard.type(';');
  await expect.poll(() => editor.source(HELLO)).not.toBe(text);

  await expect(problems.count).toHaveText('none');
  await expect.poll(() => errorLines(playground, HELLO)).toEqual([]);
  await status.expectPhase('idle');
});

test("a Run's compile errors replace those shown while typing", async ({ playground }) => {
  const { editor, problems, status } = playground;
  const source = (await editor.source(HELLO))!;
  const lines = source.split('\n');
  const returnLine = lines.findIndex((l) => l.includes('return 0;')) + 1;
  const withUndeclared = (name: string) => lines.map((l, i) => (i === returnLine - 1 ? `\t${name}++;\n${l}` : l)).join('\n');

  await editor.setSource(HELLO, withUndeclared('typed_first'));
  await expect(problems.at(HELLO, returnLine)).toContainText("undeclared identifier 'typed_first'");

  // Another error, and Run before the pause: the Run's compile says it, and the first one is gone.
  await editor.setSource(HELLO, withUndeclared('run_second'));
  await editor.run();
  await status.expectPhase('error');
  await expect(playground.runError).toContainText('Compile failed');
  await expect(problems.at(HELLO, returnLine)).toContainText("undeclared identifier 'run_second'");
  await expect(problems.items.filter({ hasText: 'typed_first' })).toHaveCount(0);
  await expect(problems.count).toHaveText('1 error, 0 warnings');
  await expect.poll(() => errorLines(playground, HELLO)).toEqual([returnLine]);
});

test('after a Run that did not compile, typing the fix says the files compile now instead of the stale error', async ({ playground }) => {
  const { editor, problems, status } = playground;
  const source = (await editor.source(HELLO))!;
  const { text } = await withoutSemicolon(playground);
  await editor.setSource(HELLO, text);
  await editor.run();
  await status.expectPhase('error');
  await expect(playground.runError).toContainText('Compile failed');

  await editor.setSource(HELLO, source);
  await expect(problems.count).toHaveText('none');
  await expect(playground.runError).toHaveCount(0);
  await expect(playground.page.getByTestId('run-compiles-now')).toHaveText('The last Run did not compile; the files compile now. Press Run to load them.');
  await editor.run();
  await status.expectPhase('running');
  await expect(playground.page.getByTestId('run-compiles-now')).toHaveCount(0);
});
