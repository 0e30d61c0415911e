import { expect, test } from './fixtures.ts';

/** A program that needs kprobes, which the host kernel of this project's machines lacks. */
const KPROBE_PROGRAM = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_sys_openat2")
int on_open(void *ctx)
{
	bpf_printk("kprobe saw an open");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('choosing 6.12 (VM) runs a kprobe program in a VM of its own, and its output shows', async ({ playground }) => {
  test.setTimeout(240_000);
  const { editor, output, status, statusBar, kernelPicker } = playground;
  await expect(kernelPicker).toBeVisible();
  await kernelPicker.selectOption({ label: '6.12 (VM)' });
  await expect(statusBar.getByTestId('kernel-status')).toContainText(/kernel 6\.12\.\d+\+deb12-amd64 in your own VM/);
  await editor.setSource('hello_execve.bpf.c', KPROBE_PROGRAM);
  await editor.run();
  // Booting is shown while it lasts (a pool's VM may already be ready, then it is skipped).
  await status.expectPhase('running', 200_000);
  await expect(kernelPicker).toBeDisabled();
  await playground.openAFile();
  await output.expectLine('kprobe saw an open', { timeout: 30_000 });
  await editor.stop();
  await status.expectPhase('stopped');
  await expect(kernelPicker).toBeEnabled();
});
