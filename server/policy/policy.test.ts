// Needs: nothing (no root, no kernel). Each object is compiled here by the playground's own
// compile (outside the jail, which only root can enter) and opened by the addon as the loader
// opens it: bpf_object__open makes no bpf() call, so nothing reaches the kernel. The policy then
// sees exactly what a Run would show it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Btf } from '../btf/btf.ts';
import { compile } from '../compile/compiler.ts';
import { findToolchain, type Toolchain } from '../compile/toolchain.ts';
import { loadConfig, type Config } from '../config.ts';
import { Collection } from '../../native/index.ts';
import { helperNames } from './helper-ids.ts';
import { checkPolicy, type Policy, type PolicyInput, type PolicyViolation } from './policy.ts';

let config: Config;
let toolchain: Toolchain;
let workdir: string;

before(async () => {
  workdir = mkdtempSync(path.join(tmpdir(), 'policy-test-'));
  config = { ...loadConfig({}), compileJail: 'none', cacheDir: path.join(workdir, 'cache') };
  toolchain = await findToolchain(config.cacheDir);
});
after(() => rmSync(workdir, { recursive: true, force: true }));

const HEADER = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n';
const LICENSE = '\nchar LICENSE[] SEC("license") = "GPL";\n';

/** The policy's input for `source`, built as session/run.ts builds it from the loader's open; and libbpf's instruction count. */
async function opened(source: string): Promise<PolicyInput & { insnCount: number }> {
  const compiled = await compile(config, toolchain, [{ name: 'prog.bpf.c', content: HEADER + source + LICENSE }], { traceTag: '' });
  assert.equal(compiled.ok, true, compiled.log);
  const collection = Collection.open(compiled.object!, { name: compiled.name });
  try {
    const programs = collection.programs();
    const btf = collection.btf();
    return {
      programs: programs.map((p) => ({ ...p, instructions: collection.instructions(p.name) })),
      maps: collection.maps(),
      btf: btf ? Btf.parse(btf) : null,
      possibleCpus: Collection.possibleCpus(),
      helpers: helperNames(),
      insnCount: programs.reduce((sum, p) => sum + p.insnCount, 0),
    };
  } finally {
    collection.close();
  }
}

/** The default policy of a host kernel, as an operator who changed nothing has it. */
const hostPolicy = (): Policy => config.policy;

const messages = (violations: PolicyViolation[]) => violations.map((v) => v.message);

describe('checkPolicy, on objects clang compiled', () => {
  test('a tracepoint program with a map and bpf_printk passes', async () => {
    const input = await opened(`
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execs(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1;
	bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
	bpf_printk("exec by %u", pid);
	return 0;
}`);
    assert.deepEqual(
      input.programs.map((p) => p.typeName),
      ['tracepoint'],
    );
    assert.deepEqual(checkPolicy(hostPolicy(), input), []);
  });

  test('each denied helper is named with its reason, in every program that calls it', async () => {
    const input = await opened(`
SEC("tracepoint/syscalls/sys_enter_kill")
int kill_it(void *ctx)
{
	bpf_send_signal(9);
	return 0;
}

SEC("kprobe/do_unlinkat")
int scribble(void *ctx)
{
	char x = 0;
	bpf_probe_write_user((void *)0x1000, &x, 1);
	bpf_override_return(ctx, -1);
	return 0;
}`);
    const violations = checkPolicy(hostPolicy(), input);
    assert.deepEqual(
      violations.map((v) => v.rule),
      ['helper', 'helper', 'helper'],
    );
    assert.deepEqual(messages(violations).sort(), [
      "Program kill_it calls bpf_send_signal, which the playground does not allow: it sends signals to the processes it interrupts, which may be anyone's.",
      'Program scribble calls bpf_override_return, which the playground does not allow: it changes what kernel functions return to other processes.',
      "Program scribble calls bpf_probe_write_user, which the playground does not allow: it writes into other processes' memory.",
    ]);
  });

  test('a helper the VM policy allows is allowed there, and still refused on the host', async () => {
    const input = await opened('SEC("tracepoint/syscalls/sys_enter_kill")\nint kill_it(void *ctx)\n{\n\tbpf_send_signal(9);\n\treturn 0;\n}');
    const vm: Policy = { ...hostPolicy(), ...config.vmPolicy };
    assert.deepEqual(checkPolicy(vm, input), []);
    assert.equal(checkPolicy(hostPolicy(), input).length, 1);
  });

  test('a program type outside the allowed list is refused, naming its section and what is allowed', async () => {
    const input = await opened('SEC("xdp")\nint pass(struct xdp_md *ctx)\n{\n\treturn XDP_PASS;\n}');
    assert.deepEqual(checkPolicy(hostPolicy(), input), [
      {
        rule: 'program_type',
        message: 'Program pass (SEC("xdp")) is a xdp program; this playground allows tracepoint, raw_tracepoint, kprobe, tracing, perf_event.',
      },
    ]);
    // networking: true adds the network types.
    assert.deepEqual(checkPolicy({ ...hostPolicy(), networking: true }, input), []);
  });

  test('more programs than the limit: one sentence with the count and the limit', async () => {
    const programs = Array.from({ length: 9 }, (_, i) => `SEC("tracepoint/syscalls/sys_enter_execve")\nint p${i}(void *ctx) { return ${i}; }\n`);
    const input = await opened(programs.join('\n'));
    assert.deepEqual(checkPolicy({ ...hostPolicy(), maxPrograms: 8 }, input), [{ rule: 'programs', message: 'The object has 9 programs; the limit is 8.' }]);
    // The default covers real tools, which carry one program per syscall or kernel function.
    assert.deepEqual(checkPolicy(hostPolicy(), input), []);
  });

  test('more instructions than the limit, counted over all programs as libbpf counts them', async () => {
    const input = await opened(`
SEC("tracepoint/syscalls/sys_enter_execve")
int one(void *ctx) { bpf_printk("one"); return 0; }

SEC("tracepoint/syscalls/sys_enter_openat")
int two(void *ctx) { bpf_printk("two %d", 2); return 0; }`);
    const libbpfCount = input.insnCount;
    assert.ok(libbpfCount > 4, `only ${libbpfCount} instructions`);
    const policy = { ...hostPolicy(), maxInstructions: libbpfCount - 1 };
    assert.deepEqual(checkPolicy(policy, input), [
      { rule: 'instructions', message: `The programs have ${libbpfCount} instructions in all; the limit is ${libbpfCount - 1}.` },
    ]);
    assert.deepEqual(checkPolicy({ ...policy, maxInstructions: libbpfCount }, input), [], 'the limit itself is allowed');
  });

  test('a map over the per-map memory cap says how much it would take, and a ring buffer over its own cap', async () => {
    const input = await opened(`
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, __u64);
	__type(value, __u64);
} big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int touch(void *ctx)
{
	__u64 key = 0;
	bpf_map_lookup_elem(&big, &key);
	bpf_ringbuf_output(&events, &key, sizeof(key), 0);
	return 0;
}`);
    // A preallocated hash element: 8 + 8 bytes and 48 of bookkeeping, 2^20 times.
    assert.deepEqual(checkPolicy(hostPolicy(), input), [
      { rule: 'map_memory', message: 'Map big would take about 64.0 MiB of kernel memory (max_entries 1,048,576); the limit per map is 16.0 MiB.' },
      { rule: 'ringbuf', message: 'Ring buffer events is 8.0 MiB; the limit is 4.0 MiB.' },
    ]);
  });

  test('a map that asks to be pinned is refused', async () => {
    const input = await opened(`
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} kept SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int touch(void *ctx)
{
	__u32 key = 0;
	bpf_map_lookup_elem(&kept, &key);
	return 0;
}`);
    assert.deepEqual(checkPolicy(hostPolicy(), input), [
      { rule: 'pinning', message: 'Map kept asks to be pinned in bpffs; pinning is not available in the playground, so remove its "pinning" attribute.' },
    ]);
  });

  test('a denied kfunc declared __ksym is refused by name', async () => {
    const input = await opened(`
struct task_struct;
extern int bpf_send_signal_task(struct task_struct *task, int sig, int type, __u64 value) __ksym;

SEC("tp_btf/sched_switch")
int signal_next(__u64 *ctx)
{
	bpf_send_signal_task((struct task_struct *)ctx[2], 9, 0, 0);
	return 0;
}`);
    assert.deepEqual(checkPolicy(hostPolicy(), input), [
      {
        rule: 'kfunc',
        message: 'The object calls the kfunc bpf_send_signal_task, which the playground does not allow: it can affect the host beyond tracing.',
      },
    ]);
  });

  test('every broken rule is reported at once, not only the first', async () => {
    const input = await opened('SEC("xdp")\nint pass(struct xdp_md *ctx)\n{\n\tbpf_send_signal(9);\n\treturn XDP_PASS;\n}');
    assert.deepEqual(
      checkPolicy({ ...hostPolicy(), maxPrograms: 0 }, input).map((v) => v.rule),
      ['programs', 'program_type', 'helper'],
    );
  });
});
