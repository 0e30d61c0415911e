import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './rate-limit.ts';

test('a bucket grants its burst at once, then its rate', () => {
  let now = 0;
  const bucket = new TokenBucket(200, 2000, () => now);
  assert.equal(bucket.take(5000), 2000);
  assert.equal(bucket.take(1), 0);
  now += 1000;
  assert.equal(bucket.take(5000), 200);
  now += 100_000;
  assert.equal(bucket.take(5000), 2000, 'never more than the burst');
});
