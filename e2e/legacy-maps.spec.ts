import { expect, test } from './fixtures.ts';

const FILE = 'hello_execve.bpf.c';

/** A program from an old tutorial: its map is a struct bpf_map_def in SEC("maps"), which libbpf 1.0 removed. */
const LEGACY = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u32 u32;
typedef __u64 u64;

struct bpf_map_def SEC("maps") exec_counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(u32),
	.value_size = sizeof(u64),
	.max_entries = 16,
	.map_flags = BPF_F_NO_PREALLOC, /* entries made when first used */
};

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execs(void *ctx)
{
	u32 key = 0;
	u64 one = 1;
	u64 *count = bpf_map_lookup_elem(&exec_counts, &key);

	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&exec_counts, &key, &one, BPF_NOEXIST);
	bpf_printk("legacy map counted an exec");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
const DEFINITION_LINE = LEGACY.split('\n').findIndex((l) => l.startsWith('struct bpf_map_def')) + 1;

test('a legacy struct bpf_map_def map converts in one click to a BTF map that loads, attaches and counts', async ({ playground }) => {
  const { editor, problems, status, output, maps } = playground;
  await editor.setSource(FILE, LEGACY);
  await editor.run();
  await status.expectPhase('error');
  const problem = problems.at(FILE, DEFINITION_LINE).filter({ hasText: 'This map is defined the old way' });
  await expect(problem).toHaveCount(1);

  await problems.convertButton.click();
  await expect(problems.note).toContainText('exec_counts is now a BTF-defined map');
  const converted = await editor.source(FILE);
  expect(converted).toContain(`struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* entries made when first used */
} exec_counts SEC(".maps");`);
  expect(converted).not.toContain('bpf_map_def');
  // Only the definition changed: the program still uses the map by its name.
  expect(converted).toContain('bpf_map_lookup_elem(&exec_counts, &key)');
  await expect(problems.convertButton).toHaveCount(0);

  // One Ctrl+Z undoes the whole conversion; the button is back for the old definition.
  await editor.undo();
  await expect.poll(() => editor.source(FILE)).toBe(LEGACY);
  await problems.convertButton.click();
  await expect.poll(() => editor.source(FILE)).toBe(converted);

  await editor.run();
  await status.expectPhase('running');
  await playground.triggerExec();
  await output.expectLine('legacy map counted an exec');
  await maps.open();
  await maps.expectEntry('exec_counts', '0');
  await expect.poll(() => maps.numberAt('exec_counts', '0')).toBeGreaterThan(0);
});

test('the lightbulb on a legacy map’s line offers the conversion, and a map it cannot convert says why', async ({ playground, page }) => {
  const { editor, problems, status } = playground;
  const pinned = LEGACY.replace('\t.max_entries = 16,\n', '\t.max_entries = 16,\n\t.pinning = 2,\n');
  await editor.setSource(FILE, pinned);
  await editor.run();
  await status.expectPhase('error');
  const problem = problems.at(FILE, DEFINITION_LINE).filter({ hasText: 'This map is defined the old way' });
  await expect(problem).toHaveCount(1);
  // No button for a map it would convert wrongly: the sentence names the field instead.
  await expect(problems.convertButton).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('The map exec_counts is left as it is: it sets .pinning');

  // Without .pinning, the quick fix (Ctrl+.) on the definition's line converts it.
  await editor.setSource(FILE, LEGACY);
  await problem.click();
  await expect.poll(() => editor.cursor()).toMatchObject({ line: DEFINITION_LINE });
  await page.keyboard.press('Control+.');
  await page.getByRole('option', { name: /Convert to a BTF-defined map/ }).click();
  await expect.poll(() => editor.source(FILE)).toContain('} exec_counts SEC(".maps");');
  expect(await editor.source(FILE)).not.toContain('bpf_map_def');
});
