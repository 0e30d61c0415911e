import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompileQueue } from './compile-queue.ts';

test('no more jobs run at once than there are slots, in arrival order, and waiters hear their place', async () => {
  const queue = new CompileQueue(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const positions: number[][] = [[], [], [], [], []];
  const job = (n: number) => async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setTimeout(resolve, 10));
    order.push(n);
    running--;
    return n;
  };
  const results = await Promise.all([0, 1, 2, 3, 4].map((n) => queue.run(job(n), (p) => positions[n]!.push(p))));
  assert.deepEqual(results, [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(positions, [[], [], [1], [2, 1], [3, 2, 1]]);
});

test('a queue behind another starts only while the other has a free slot and nobody waiting', async () => {
  const compiles = new CompileQueue(1);
  const skeletons = new CompileQueue(1, compiles);
  const events: string[] = [];
  let releaseCompile!: () => void;
  const compile = compiles.run(
    () =>
      new Promise<void>(
        (resolve) =>
          (releaseCompile = () => {
            events.push('compile done');
            resolve();
          }),
      ),
  );
  const skeleton = skeletons.run(async () => void events.push('skeleton'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(events.length, 0, 'the skeleton waits while the compile holds the only core');
  releaseCompile();
  await Promise.all([compile, skeleton]);
  assert.deepEqual(events, ['compile done', 'skeleton']);
  // With room ahead, it starts at once.
  await skeletons.run(async () => void events.push('at once'));
  assert.equal(events.at(-1), 'at once');
});
