// Test helper for events.kernel.test.ts, run in a forked child or a worker thread:
// loads the ring buffer object named first, consumes its 'events' map and
// triggers records until one arrives, reports, then either exits with the
// consumer still running ('exit') or waits to be killed or terminated
// ('hold'). No top-level await: the worker loads this through tsx's CommonJS
// hook.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { Collection } from './index.ts';

const [objectPath, mode] = (isMainThread ? process.argv.slice(2) : workerData) as [string, 'exit' | 'hold'];

function report(message: { records: number }): void {
  if (isMainThread) process.send!(message);
  else parentPort!.postMessage(message);
}

const collection = Collection.open(readFileSync(objectPath));
void collection.load().then(() => {
  let records = 0;
  collection.consume('events', (batch) => {
    records += batch.records.length;
  });
  collection.attachAll();
  const trigger = setInterval(() => {
    closeSync(openSync(objectPath, 'r'));
    if (records === 0) return;
    clearInterval(trigger);
    report({ records });
    // Keep records flowing so teardown finds the consumer busy.
    setInterval(() => closeSync(openSync(objectPath, 'r')), 1);
    if (mode === 'exit') setTimeout(() => process.exit(0), 20);
  }, 5);
});
