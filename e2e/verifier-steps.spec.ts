import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';

/** Shared with the kernel test of `--verifier-steps`. */
const SOMETIMES_TOO_FAR = path.resolve(import.meta.dirname, '..', 'server', 'verifier', 'fixtures', 'sometimes_too_far.bpf.c');

test('the verifier stepper: open it from the explanation, step to the failure, follow a register back to where it was set', async ({ playground, page }) => {
  const { editor, status, verifier } = playground;
  const { file, source: unchecked } = await playground.openCounterWithoutNullCheck();
  const lines = unchecked.split('\n');
  const failing = lines.findIndex((l) => l.includes('*v += 1;')) + 1;
  const lookup = lines.findIndex((l) => l.includes('bpf_map_lookup_elem(')) + 1;
  await editor.run();
  await status.expectPhase('error');
  await verifier.open();
  await page.getByRole('button', { name: 'Step through what the verifier saw' }).click();

  const steps = page.getByRole('listbox', { name: 'Verifier steps' });
  const selected = steps.getByRole('option', { selected: true });
  const state = page.getByTestId('verifier-step-state');
  // It opens on the failing step, on the C line the verifier stopped at.
  await expect(state.getByRole('alert')).toContainText("invalid mem access 'map_value_or_null'");
  await expect(state.getByRole('button', { name: `${file}:${failing}` })).toBeVisible();
  await expect(page.getByTestId('verifier-slot').filter({ hasText: /^R0/ }).getByTestId('verifier-slot-type')).toHaveText('map_value_or_null');
  await expect.poll(() => editor.cursor()).toMatchObject({ line: failing });

  // The keys step back and forth.
  await steps.focus();
  await page.keyboard.press('ArrowUp');
  await expect(selected).toContainText('call bpf_map_lookup_elem');
  await page.keyboard.press('End');
  await expect(state.getByRole('alert')).toBeVisible();
  await page.keyboard.press('Home');
  await expect(state.getByRole('alert')).toHaveCount(0);
  await page.keyboard.press('End');

  // R0 came from the lookup: one click on its name goes there, and the editor shows that line.
  await page.getByRole('button', { name: 'R0', exact: true }).click();
  await expect(selected).toContainText('call bpf_map_lookup_elem');
  await expect(page.getByTestId('verifier-origin')).toHaveText('R0 was last written here.');
  await expect(state.getByRole('button', { name: `${file}:${lookup}` })).toBeVisible();
  await expect.poll(() => editor.cursor()).toMatchObject({ line: lookup });
});

test('Load again with every step: the level 2 log shows each path the verifier walked', async ({ playground, page }) => {
  const { editor, status, verifier } = playground;
  await playground.openCounterWithoutNullCheck();
  await editor.run();
  await status.expectPhase('error');
  await verifier.open();
  await page.getByRole('button', { name: 'Step through what the verifier saw' }).click();
  await page.getByRole('button', { name: 'Load again with every step (log level 2)' }).click();
  await status.expectPhase('error');
  // The new log opens on its steps, and it is the verbose one: nothing more to ask for.
  await expect(page.getByRole('listbox', { name: 'Verifier steps' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load again with every step (log level 2)' })).toHaveCount(0);
  await expect(page.getByTestId('verifier-stepper')).toContainText('the verifier processed');
});

test("every load shows veristat's figures per program: states, time and stack beside the instructions processed", async ({ playground, page }) => {
  const { editor, status, verifier } = playground;
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  await verifier.open();
  const programs = page.getByRole('table', { name: 'Programs' });
  await expect(programs.getByTestId('program-insns')).toContainText(/\d+ verified/);
  await expect(programs.getByTestId('program-verifier')).toHaveText(/^\d+ states? \(peak \d+\) · [\d,]+ µs · stack \d+ B$/);

  // A refused load too: the program the verifier stopped at has its own.
  await editor.stop();
  await playground.openCounterWithoutNullCheck();
  await editor.run();
  await status.expectPhase('error');
  await expect(programs.getByTestId('program-verifier')).toHaveText(/^\d+ states? \(peak \d+\) · [\d,]+ µs · stack \d+ B$/);
});

test('the control flow beside the steps: blocks as the verifier walked them, the path to the rejection marked, a block picks its step', async ({
  playground,
  page,
}) => {
  const { editor, status, verifier } = playground;
  // The page opens on hello world, which has no seeds to name a map this program lacks.
  const [file] = await editor.files();
  // A rejection behind a branch: the write past the 8-byte value happens only on one way of it.
  await editor.setSource(file!, readFileSync(SOMETIMES_TOO_FAR, 'utf8'));
  await editor.run();
  await status.expectPhase('error');
  await verifier.open();
  await page.getByRole('button', { name: 'Step through what the verifier saw' }).click();

  const flow = page.getByTestId('verifier-flow');
  const blocks = flow.getByRole('list', { name: 'Basic blocks' }).getByRole('button');
  expect(await blocks.count()).toBeGreaterThan(1);
  // It opens on the failure: its block is the current one.
  const current = flow.locator('[aria-current="step"]');
  await expect(current).toHaveCount(1);
  const failingBlock = await current.getAttribute('title');
  // Every step of a level 1 log is on the path to the rejection.
  const steps = page.getByRole('listbox', { name: 'Verifier steps' });
  await expect(steps.locator('[data-on-failure-path]')).toHaveCount(await steps.getByRole('option').count());

  // The first block goes to the first step.
  await blocks.first().click();
  await expect(steps.getByRole('option', { selected: true })).toHaveText(/^0\D/);
  await expect(current).not.toHaveAttribute('title', failingBlock!);
});
