import { expect, test } from './fixtures.ts';

test('uprobes on the target program: the attach settings say what they watch, and Run shows its calls', async ({ playground, page }) => {
  const { output, status } = playground;
  await expect(page.getByTestId('attach-settings')).toHaveCount(0);
  await playground.pickExample('uprobe and USDT: the target program');
  await expect(page.getByTestId('attach-host-note')).toContainText("uprobes watch the playground's target program");
  await playground.editor.run();
  await status.expectPhase('running');
  await output.expectLine('playground_add returned');
  await output.expectLine('tick: round');
});

test('a bare SEC("uprobe") asks for its function, and a perf_event program for its event; a missing hardware counter is said', async ({ playground, page }) => {
  const { editor, status, output, verifier } = playground;
  const file = (await editor.files())[0]!;
  await editor.setSource(
    file,
    `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uprobe")
int BPF_UPROBE(on_greet, const char *name)
{
	char text[16];

	bpf_probe_read_user_str(text, sizeof(text), name);
	bpf_printk("greeted %s", text);
	return 0;
}

SEC("perf_event")
int on_sample(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
  );
  const settings = page.getByTestId('attach-settings');
  await settings.getByRole('textbox', { name: 'Function' }).fill('playground_greet');
  await settings.getByRole('combobox', { name: 'perf_event samples' }).selectOption('cycles');
  await editor.run();
  await status.expectPhase('running');
  await output.expectLine('greeted ');
  await verifier.open();
  const sampler = page.getByRole('row').filter({ hasText: 'on_sample' }).getByTestId('program-attach');
  // This machine has no PMU; one that has counts cycles instead.
  await expect(sampler).toHaveText(/cycles is a hardware counter, and this machine has none|✓ attached to the cycles counter/);
});
