import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWorkload } from './workload.ts';

test('an exec workload passes a few random words to /bin/true, and says how many arguments each exec gets', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const { plan, facts } = planWorkload({ kind: 'exec', count: [2, 2] }, 1000);
    const command = /do (\/bin\/true[^&]*) &/.exec(plan.script)?.[1]?.trim().split(' ');
    assert.ok(command, plan.script);
    // argv holds the program's name and the words after it.
    assert.equal(facts.argc, command.length);
    assert.ok(command.slice(1).every((word) => word.startsWith(`${facts.nonce}-`)));
    seen.add(facts.argc as number);
  }
  assert.deepEqual([...seen].sort(), [2, 3, 4, 5]);
});
