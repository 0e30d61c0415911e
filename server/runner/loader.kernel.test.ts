// The loader's "unchanged" answer, on a real map in the real kernel: the page's poll
// must see every change, whatever else read the map in between.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { compileBpf } from '../../native/test-support.ts';
import { createLoader } from './loader.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'pg-loader-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const source = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} tally SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int never_attached(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: number) => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);

test('a whole read in between (a check) does not make the next poll miss a change', async (t) => {
  const loader = createLoader({ send: () => true });
  t.after(() => loader.close({}));
  await loader.open({ object: compileBpf(workDir, 'tally', source), name: 'tally' });
  await loader.load({});
  const poll = () => loader.dump({ map: 'tally', max: 10, ifChanged: true });

  await poll();
  assert.equal((await poll()).unchanged, true, 'nothing changed since the last poll');
  await loader.update({ map: 'tally', key: u32(1), value: u64(5) });
  // A lesson's check reads every map whole…
  assert.equal((await loader.dump({ map: 'tally', max: 10 })).count, 1);
  // …and the page's next poll still gets the new entry.
  const next = await poll();
  assert.notEqual(next.unchanged, true);
  assert.equal(next.count, 1);
  assert.equal((await poll()).unchanged, true);
});
