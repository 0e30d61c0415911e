import { unzipSync } from 'fflate';
import { expect, test } from './fixtures.ts';

const HELLO = 'hello_execve.bpf.c';
const COUNTER = 'execve_counter';
const COUNTER_KEY = '"execve_counter"';

/**
 * Opens bucketed two ways, as tools do: libbpf-tools' `struct hist { slots[] }`
 * in a one-entry array, and bcc's array of u64 counts indexed by bucket.
 * The bucket is log2 of the clock's low 16 bits: it varies from open to open.
 */
const HISTOGRAM_PROGRAM = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

struct hist {
	__u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hist);
} open_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} open_slots SEC(".maps");

static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int count_open(void *ctx)
{
	__u32 zero = 0, slot;
	struct hist *h;
	__u64 *n;

	slot = log2_u32(bpf_ktime_get_ns() & 0xffff);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	h = bpf_map_lookup_elem(&open_hist, &zero);
	if (h)
		__sync_fetch_and_add(&h->slots[slot], 1);
	n = bpf_map_lookup_elem(&open_slots, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

/** Every syscall on the machine stores one of 16,384 keys: the hash map fills to its 10,240 entries within seconds. */
const MANY_KEYS_PROGRAM = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} many SEC(".maps");

SEC("raw_tp/sys_enter")
int fill(void *ctx)
{
	__u32 key = bpf_ktime_get_ns() & 0x3fff;
	__u64 init = 1000000, *n;

	n = bpf_map_lookup_elem(&many, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&many, &key, &init, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('execve_counter draws a rising time series, with the rate beside the value', async ({ playground }) => {
  const { editor, maps, status } = playground;
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  // A map of numbers opens as its time series.
  await expect(maps.card(COUNTER).getByRole('radio', { name: 'Time series' })).toBeChecked();

  await playground.triggerExec();
  const latest = async () => {
    const chart = await maps.chart(COUNTER);
    const index = chart?.labels.indexOf(COUNTER_KEY) ?? -1;
    return index < 0 ? -1 : (chart!.values[index] ?? -1);
  };
  await expect.poll(latest).toBeGreaterThan(0);
  const before = await latest();

  await playground.triggerExec();
  await playground.triggerExec();
  await expect.poll(latest).toBeGreaterThanOrEqual(before + 2);
  const chart = (await maps.chart(COUNTER))!;
  expect(chart.view).toBe('series');
  expect(chart.points).toBeGreaterThan(1);

  // Beside the chart: the key, its value as drawn, and its rate per second.
  const legend = maps.card(COUNTER).getByRole('table', { name: `Keys charted for ${COUNTER}` });
  await expect(legend.getByTestId('series-key')).toContainText(COUNTER_KEY);
  await expect(legend.getByTestId('series-rate').first()).toHaveText(/^(−?[\d,.]+|0)\/s$/);
  await expect(maps.entry(COUNTER, COUNTER_KEY).getByTestId('map-rate')).toHaveText(/\/s$/);

  // The table view leaves the entries only.
  await maps.showView(COUNTER, 'Table');
  await expect.poll(() => maps.chart(COUNTER)).toBeNull();
  await maps.expectEntry(COUNTER, COUNTER_KEY);
});

test('a log2 histogram renders as bars: struct hist slots[] and an array of counts', async ({ playground }) => {
  const { editor, maps, status } = playground;
  await editor.setSource(HELLO, HISTOGRAM_PROGRAM);
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await playground.openAFile();
  await playground.openAFile();

  for (const map of ['open_hist', 'open_slots']) {
    await expect(maps.card(map).getByRole('radio', { name: 'Histogram' })).toBeChecked();
    const bars = maps.histogramBars(map);
    await expect(bars.first()).toBeVisible();
    // Buckets read as power-of-two ranges; the first one drawn is the first with a count.
    await expect(bars.first().getByRole('rowheader')).toHaveText(/^\d+[KMGT]?→\d+[KMGT]?$/);
    await expect(bars.first().getByTestId('bar-value')).toHaveText(/^[1-9][\d,]*$/);
    await expect.poll(async () => (await maps.chart(map))?.values.reduce<number>((sum, v) => sum + (v ?? 0), 0) ?? 0).toBeGreaterThan(0);
  }
  expect((await maps.chart('open_hist'))!.view).toBe('histogram');
});

test('editing a value in the form changes what the program counts from', async ({ playground }) => {
  const { editor, maps, status } = playground;
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await playground.triggerExec();
  await maps.expectEntry(COUNTER, COUNTER_KEY);
  expect(await maps.numberAt(COUNTER, COUNTER_KEY)).toBeLessThan(1000);

  // Clicking Edit fills the form with the entry.
  await maps.edit(COUNTER, COUNTER_KEY);
  await expect(maps.field(COUNTER, `Key for ${COUNTER}`)).toHaveValue('execve_counter');
  const value = maps.field(COUNTER, `Value for ${COUNTER}`);
  await expect(value).toHaveValue(/^\d+$/);

  // Checked before it is sent, in a sentence: a u64 is never negative.
  await value.fill('-1');
  await maps.updateEntry(COUNTER);
  await expect(maps.formError(COUNTER)).toHaveText('Value: -1 does not fit in u64, which holds 0 to 18,446,744,073,709,551,615.');
  await expect(value).toHaveAttribute('aria-invalid', 'true');

  await value.fill('1000');
  await maps.updateEntry(COUNTER);
  await expect(maps.formError(COUNTER)).toHaveCount(0);
  await expect.poll(() => maps.numberAt(COUNTER, COUNTER_KEY)).toBeGreaterThanOrEqual(1000);
  const written = await maps.numberAt(COUNTER, COUNTER_KEY);

  // The program increments what the form wrote.
  await playground.triggerExec();
  await expect.poll(() => maps.numberAt(COUNTER, COUNTER_KEY)).toBeGreaterThan(written);
});

test('export: a map as CSV and JSON, the Events tab as CSV', async ({ playground }) => {
  const { editor, maps, events, status } = playground;
  await playground.pickExample('Count execve in a hash map');
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  await playground.triggerExec();
  await expect.poll(() => maps.numberAt(COUNTER, COUNTER_KEY)).toBeGreaterThan(0);

  const csv = await maps.export(COUNTER, 'CSV');
  expect(csv.name).toMatch(/^execve_counter-[\dT-]+\.csv$/);
  const lines = csv.text.trimEnd().split('\r\n');
  expect(lines[0]).toBe('key,value');
  expect(lines).toContainEqual(expect.stringMatching(/^execve_counter,[1-9]\d*$/));

  const json = JSON.parse((await maps.export(COUNTER, 'JSON')).text) as { map: string; entries: { key: unknown; value: unknown }[] };
  expect(json.map).toBe(COUNTER);
  expect(json.entries).toContainEqual({ key: 'execve_counter', value: expect.any(Number) });

  await playground.pickExample('Ring buffer: one record per openat');
  await editor.run();
  await status.expectPhase('running');
  await events.open();
  await events.filter.fill('/etc/hostname');
  // Every openat on the machine sends a record, and a busy machine's are dropped over the session's rate: open until one of ours is kept.
  await expect(async () => {
    await playground.openAFile();
    await expect(events.row('filename', '/etc/hostname').first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  const records = await events.export('events', 'CSV');
  const recordLines = records.text.trimEnd().split('\r\n');
  expect(recordLines[0]).toBe('seq,time,pid,comm,filename');
  expect(recordLines.slice(1)).toContainEqual(expect.stringMatching(/^\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,\d+,[^,]*,\/etc\/hostname$/));
});

test('a map with thousands of entries stays usable: virtualised rows, search by key, top 10', async ({ playground }) => {
  const { editor, maps, status } = playground;
  await editor.setSource(HELLO, MANY_KEYS_PROGRAM);
  await editor.run();
  await status.expectPhase('running');
  await maps.open();
  const card = maps.card('many');
  await expect(card.getByText(/^[\d,]{5,} entries/)).toBeVisible({ timeout: 30_000 });

  // Only the rows in view are in the page, however many the map holds.
  const rows = card.getByTestId('map-entry');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);

  // Search narrows by key; numbers keep their separators, aligned right.
  const search = card.getByRole('searchbox', { name: 'Search keys of many' });
  await search.fill('123');
  await expect(card.getByTestId('map-search-count')).toHaveText(/^[\d,]+ of [\d,]+$/);
  await expect(rows.first().getByTestId('map-key')).toContainText('123');
  await expect(rows.first().getByTestId('map-value')).toHaveText(/^1,0\d\d,\d{3}$/);
  await expect(rows.first().getByTestId('map-value')).toHaveCSS('text-align', 'right');

  await maps.showView('many', 'Top 10');
  await expect(card.getByRole('table', { name: 'Top 10 of many' }).getByTestId('bar')).toHaveCount(10);
});

/** The binary a project's Makefile builds: its default target, `all: $(APP)`, with `APP := name`. */
function madeBinary(makefile: string): string {
  expect(makefile).toMatch(/^all: \$\(APP\)$/m);
  const app = /^APP := (\S+)$/m.exec(makefile)?.[1];
  expect(app, 'the Makefile names its binary in APP').toBeTruthy();
  return app!;
}

test('Export project downloads a libbpf project with the sources, a loader, a Makefile and the seed, and the message names its binary', async ({
  playground,
  page,
}) => {
  await playground.pickExample('Count execve in a hash map');
  const zip = await playground.exportProject();
  expect(zip.name).toBe('execve_counter.zip');
  const files = unzipSync(new Uint8Array(zip.bytes));
  expect(Object.keys(files)).toEqual(
    expect.arrayContaining([
      'execve_counter/Makefile',
      'execve_counter/README.md',
      'execve_counter/src/execve_counter.bpf.c',
      'execve_counter/src/execve_counter.c',
    ]),
  );
  const loader = new TextDecoder().decode(files['execve_counter/src/execve_counter.c']);
  expect(loader).toContain('execve_counter_bpf__open');
  expect(loader).toContain('bpf_map__update_elem');
  // The message's command runs the binary that the zip's Makefile builds.
  const binary = madeBinary(new TextDecoder().decode(files['execve_counter/Makefile']));
  await expect(page.getByTestId('status-message')).toHaveText(`Downloaded execve_counter.zip: unzip, make, sudo ./${binary} (see its README).`);
});

test("Export as Go downloads a cilium/ebpf module with the sources, bpf2go's line, a main.go and the seed, and the toast names the binary", async ({
  playground,
  page,
}) => {
  await playground.pickExample('Count execve in a hash map');
  const zip = await playground.exportProject('Go');
  expect(zip.name).toBe('execve_counter.zip');
  const files = unzipSync(new Uint8Array(zip.bytes));
  expect(Object.keys(files)).toEqual(
    expect.arrayContaining([
      'execve_counter/go.mod',
      'execve_counter/gen.go',
      'execve_counter/main.go',
      'execve_counter/Makefile',
      'execve_counter/bpf/execve_counter.bpf.c',
    ]),
  );
  const main = new TextDecoder().decode(files['execve_counter/main.go']);
  expect(main).toContain('{mapName: "execve_counter", key: []byte{0x65, 0x78');
  const binary = madeBinary(new TextDecoder().decode(files['execve_counter/Makefile']));
  await expect(page.getByTestId('status-message')).toHaveText(`Downloaded execve_counter.zip: unzip, go mod tidy && make, sudo ./${binary} (see its README).`);
});

test('a map too big for the limit is shrunk to fit, and its card and the Verifier log say so', async ({ playground }) => {
  const { editor, maps, status, verifier } = playground;
  await editor.setSource(
    HELLO,
    `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct record {
	__u32 pid;
	char args[7680];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct record);
} execs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int remember(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_lookup_elem(&execs, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
  );
  await editor.run();
  await status.expectPhase('running');
  const line = 'execs: max_entries 10,240 → 2,048 to fit the 16.0 MiB per-map limit.';
  await maps.open();
  await expect(maps.card('execs').getByTestId('map-change')).toHaveText(line);
  await expect(maps.card('execs')).toContainText('max 2,048');
  await verifier.open();
  await expect(playground.page.getByTestId('object-changes')).toContainText(line);
});
