// Needs: root, QEMU, and the guest images scripts/setup.sh builds (.cache/vm).
// How a VM that fails says so: each fault is made for real, with Debian's 6.12
// kernel, and must end in one sentence and leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config.ts';
import { vmCgroupDirs } from './cgroup.ts';
import { GuestVm, type VmImage } from './guest-vm.ts';
import { vmImageDir, vmOptions } from './vm-kernel.ts';

const config = loadConfig();
const kernelDir = path.join(vmImageDir(config), 'kernels', '6.12');
const image: VmImage = {
  vmlinuz: path.join(kernelDir, 'vmlinuz'),
  initrd: path.join(kernelDir, 'initrd.img'),
  rootfs: path.join(vmImageDir(config), 'rootfs.img'),
};
const options = vmOptions(config);

function exitOf(vm: GuestVm): Promise<string> {
  return new Promise((resolve) => vm.whenExited(resolve));
}

function cgroupsLeft(vm: GuestVm): string[] {
  return vmCgroupDirs(vm.id).filter((dir) => existsSync(dir));
}

test('a root image that is not one: the guest says so and powers off', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-badroot-'));
  try {
    const zeros = path.join(dir, 'zeros.img');
    writeFileSync(zeros, Buffer.alloc(4 * 1024 * 1024));
    const vm = new GuestVm({ ...image, rootfs: zeros }, options);
    await assert.rejects(vm.ready, { message: "the session's VM stopped (it did not boot: its root image did not mount)" });
    assert.equal(await exitOf(vm), 'it did not boot: its root image did not mount');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a boot slower than bootTimeoutMs is ended, with the limit in its reason', async () => {
  const vm = new GuestVm(image, { ...options, bootTimeoutMs: 1000 });
  assert.equal(await exitOf(vm), 'it did not boot within 1 s');
  await assert.rejects(vm.ready, { message: "the session's VM stopped (it did not boot within 1 s)" });
  assert.deepEqual(cgroupsLeft(vm), []);
});

test('QEMU killed with kill -9 from outside: a call in flight fails with that reason, and its cgroup is gone', async () => {
  const vm = new GuestVm(image, options);
  await vm.ready;
  assert.ok(cgroupsLeft(vm).length > 0, 'the VM runs in a cgroup of its own');
  const qemuPid = vm.pid!;
  assert.match(readFileSync(`/proc/${qemuPid}/cmdline`, 'utf8'), /^qemu-system-x86_64\0/);
  // kallsyms takes the guest a moment under TCG: long enough to be in flight.
  const inFlight = vm.call('kallsyms', {});
  process.kill(qemuPid, 'SIGKILL');
  await assert.rejects(inFlight, { message: "the session's VM stopped (QEMU was killed by SIGKILL)" });
  assert.equal(await exitOf(vm), 'QEMU was killed by SIGKILL');
  await assert.rejects(vm.call('close', {}), { message: "the session's VM stopped (QEMU was killed by SIGKILL)" });
  assert.deepEqual(cgroupsLeft(vm), []);
});
