// Test helper for collection.kernel.test.ts, run in a forked child: loads and
// attaches the object named on the command line, reports its program ids to
// the parent, then waits to be killed.
import { readFileSync } from 'node:fs';

import { Collection } from './index.ts';

const collection = Collection.open(readFileSync(process.argv[2]!));
await collection.load();
const attached = collection
  .attachAll()
  .filter((r) => r.attached)
  .map((r) => r.program);
const ids = collection.programs().map((p) => p.id);
process.send!({ attached, ids });
setInterval(() => {}, 60_000);
