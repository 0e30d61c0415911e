// Needs: root and a kernel that loads BPF.
// CO-RE relocations against a minimal BTF (bpftool gen min_core_btf) instead of
// the whole kernel's: what the playground does for a source it loaded before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BpfError } from './index.ts';
import { compileBpfFile, openCollection } from './test-support.ts';

const source = `// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct { int tgid; } __attribute__((preserve_access_index));

int seen_tgid = 0;

SEC("tp/syscalls/sys_enter_getppid")
int read_tgid(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	bpf_probe_read_kernel(&seen_tgid, sizeof(seen_tgid), &task->tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('an object loads against its minimal BTF, and a BTF without its types fails with a reason', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'btf-path-'));
  const object = compileBpfFile(dir, 'core', source);
  const minimal = path.join(dir, 'min.btf');
  execFileSync('bpftool', ['gen', 'min_core_btf', '/sys/kernel/btf/vmlinux', minimal, object]);

  const fast = openCollection(t, readFileSync(object), { btfPath: minimal });
  await fast.load();
  assert.equal(fast.loaded, true);

  // A BTF that is not this kernel's: the relocation cannot be resolved, and libbpf says so.
  const wrong = path.join(dir, 'wrong.btf');
  writeFileSync(wrong, Buffer.alloc(16));
  const broken = openCollection(t, readFileSync(object), { btfPath: wrong });
  await assert.rejects(broken.load(), (error: unknown) => error instanceof BpfError);

  assert.throws(() => openCollection(t, Buffer.alloc(8), { btfPath: '' }), TypeError);
});
