import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.ts';

const HELLO = 'hello_execve.bpf.c';
const COUNTER = 'execve_counter';

/**
 * Text in char arrays the ways programs keep it: a struct field with the
 * command's name and a line ending in a newline, a .data global with a tab
 * and a newline, a bpf_printk format (in .rodata), and a hash map nothing
 * ever fills.
 */
const TEXT_PROGRAM = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seen {
	char comm[16];
	char note[16];
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct seen);
} by_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} never_filled SEC(".maps");

char greeting[16] = "hi\\tthere\\n";

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct seen s = { .note = "line one\\n", .count = 1 };

	bpf_get_current_comm(&s.comm, sizeof(s.comm));
	bpf_map_update_elem(&by_pid, &pid, &s, BPF_ANY);
	bpf_printk("exec by %s\\n", s.comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

/** Bucketed by log2 of the clock's low 16 bits at each openat, in an array map whose name says latencies in nanoseconds. */
const NANOSECOND_HISTOGRAM = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} open_lat_ns SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_open(void *ctx)
{
	__u64 v = bpf_ktime_get_ns() & 0xffff, *n;
	__u32 slot = 0;

	if (v >> 8) { v >>= 8; slot += 8; }
	if (v >> 4) { v >>= 4; slot += 4; }
	if (v >> 2) { v >>= 2; slot += 2; }
	if (v >> 1) slot += 1;
	n = bpf_map_lookup_elem(&open_lat_ns, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const LESSON_5 = path.resolve(import.meta.dirname, '..', 'bpf', 'lessons', 'ebpf-from-zero', '05-log2-histogram', 'solution', 'sleep_hist.bpf.c');

test("char arrays read as their text: clang's string literals, a printk format, struct fields and a global", async ({ playground }) => {
  const { editor, maps, status } = playground;
  // The first example: its bpf_printk's text is in clang's string literals, its format in .rodata.
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await maps.globals.open();
  await maps.expectEntry('.rodata.str1.1', '0', '["Hello, World!"]');
  await maps.expectEntry('.rodata', 'bpf_prog.____fmt', '"invoke bpf_prog: %s\\n"');
  await editor.stop();

  await editor.setSource(HELLO, TEXT_PROGRAM);
  await editor.run();
  await status.expectPhase('running');
  await playground.triggerExec();
  const first = maps.card('by_pid').getByTestId('map-entry').first();
  await expect(first.locator('[data-field="comm"]')).toHaveText(/^"[^"\\]+"$/);
  await expect(first.locator('[data-field="note"]')).toHaveText('"line one\\n"');
  await maps.expectEntry('.data', 'greeting', '"hi\\tthere\\n"');
  await maps.expectEntry('.rodata', 'on_exec.____fmt', '"exec by %s\\n"');

  // The entry form shows the tab and newline as \t and \n, and writes the text typed back byte for byte.
  await maps.edit('.data', 'greeting');
  const value = maps.field('.data', 'Value for .data');
  await expect(value).toHaveValue('hi\\tthere\\n');
  await value.fill('bye\\tnow\\n');
  await maps.updateEntry('.data');
  await expect(maps.formError('.data')).toHaveCount(0);
  await maps.expectEntry('.data', 'greeting', '"bye\\tnow\\n"');
});

test("the program's globals fold under one entry, and the Maps badge counts only the maps it defines", async ({ playground, page }) => {
  const { editor, maps, status } = playground;
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  // execve_counter and .rodata: one map of its own.
  await expect(page.getByTestId('badge-maps')).toHaveText('1');
  await expect(maps.tab).toContainText('(1 map)');

  await maps.open();
  await expect(maps.card(COUNTER)).toBeVisible();
  const globals = maps.globals;
  await expect(globals.toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(globals.toggle).toContainText('globals');
  await expect(globals.toggle).toContainText('in .rodata');
  await expect(maps.card('.rodata')).toHaveCount(0);

  await globals.open();
  await expect(maps.card('.rodata')).toBeVisible();
  await expect(globals.region.getByRole('region', { name: COUNTER })).toHaveCount(0);
  // Folded again, it stays folded on the next load.
  await globals.toggle.click();
  await expect(maps.card('.rodata')).toHaveCount(0);
  await page.reload();
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await expect(maps.card(COUNTER)).toBeVisible();
  await expect(maps.globals.toggle).toHaveAttribute('aria-expanded', 'false');
});

test('an empty hash map draws no chart: it says it has no entries yet', async ({ playground }) => {
  const { editor, maps, status } = playground;
  await editor.setSource(HELLO, TEXT_PROGRAM);
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await playground.triggerExec();
  await expect(maps.card('by_pid').getByTestId('map-entry').first()).toBeVisible();

  const empty = maps.card('never_filled');
  // Its view is still a time series of numbers, with nothing to draw yet.
  await expect(empty.getByRole('radio', { name: 'Time series' })).toBeChecked();
  await expect(empty).toContainText('No entries yet.');
  await expect(empty.getByTestId('map-chart')).toHaveCount(0);
  await expect(empty.getByRole('img')).toHaveCount(0);
  expect(await maps.chart('never_filled')).toBeNull();
  await maps.showView('never_filled', 'Top 10');
  await expect(empty.getByTestId('map-chart')).toHaveCount(0);
  await expect(empty).toContainText('No entries yet.');
});

test("a histogram's axis says its unit: from the map's name, and from the lesson", async ({ playground, page }) => {
  const { editor, maps, status } = playground;
  await editor.setSource(HELLO, NANOSECOND_HISTOGRAM);
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await playground.openAFile();
  const histogram = maps.card('open_lat_ns').getByRole('table', { name: 'Histogram of open_lat_ns' });
  await expect(maps.histogramBars('open_lat_ns').first()).toBeVisible();
  await expect(histogram.getByRole('columnheader', { name: 'ns', exact: true })).toBeVisible();
  await expect(histogram.getByRole('columnheader', { name: 'count', exact: true })).toBeVisible();
  await editor.stop();

  // Lesson 5 counts microseconds in a map called hist: the lesson says so.
  await page.getByRole('tab', { name: /^Lessons/ }).click();
  await page.getByRole('button', { name: 'A latency histogram' }).click();
  await expect(page.getByTestId('lesson')).toContainText('A latency histogram');
  await expect.poll(() => editor.files()).toEqual(['sleep_hist.bpf.c']);
  await editor.setSource('sleep_hist.bpf.c', readFileSync(LESSON_5, 'utf8'));
  await editor.run();
  await status.expectPhase('running');
  // The check's workload sleeps: the buckets fill (whether a loaded machine's sleeps land in the slot the check wants is the check's business).
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByTestId('check-result')).toContainText(/Passed|Not yet/, { timeout: 30_000 });
  await maps.open();
  const lessonHistogram = maps.card('hist').getByRole('table', { name: 'Histogram of hist' });
  await expect(maps.histogramBars('hist').first()).toBeVisible();
  await expect(lessonHistogram.getByRole('columnheader', { name: 'µs', exact: true })).toBeVisible();
  // Buckets by index are log2 of the unit.
  await maps.card('hist').getByRole('radiogroup', { name: 'Buckets of hist' }).getByRole('radio', { name: 'index' }).click();
  await expect(lessonHistogram.getByRole('columnheader', { name: 'bucket (log2 of µs)' })).toBeVisible();
});
