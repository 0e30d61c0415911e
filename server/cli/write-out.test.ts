import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

// A child that writes a 300 KB report with writeOut and exits at once, as the CLI does.
const CHILD = `
import { writeOut } from ${JSON.stringify(path.join(import.meta.dirname, 'write-out.ts'))};
await writeOut(JSON.stringify({ events: 'x'.repeat(300_000) }) + '\\n');
process.exit(0);
`;

test('output piped to a slow reader arrives whole before the process exits', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  // A slow reader: nothing is read until the child has had time to exit, then a chunk at a time.
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 5);
  });
  child.stdout.resume();
  const code = await new Promise((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
  const text = Buffer.concat(chunks).toString('utf8');
  assert.equal(text.length, 300_000 + '{"events":""}\n'.length);
  assert.doesNotThrow(() => JSON.parse(text));
});
