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

test('a refused token says when the bucket holds one again, and that time is right', () => {
  let now = 0;
  // Five Runs every 10 s: one token every 2 s.
  const bucket = new TokenBucket(0.5, 5, () => now);
  for (let i = 0; i < 5; i++) assert.deepEqual(bucket.spend(), { ok: true });
  assert.deepEqual(bucket.spend(), { ok: false, retryAfterMs: 2000 });
  now += 1500;
  assert.deepEqual(bucket.spend(), { ok: false, retryAfterMs: 500 }, 'the wait shrinks as time passes');
  now += 499;
  assert.equal(bucket.spend().ok, false, 'a millisecond early is still too early');
  now += 1;
  assert.deepEqual(bucket.spend(), { ok: true }, 'at the time it said, a token is there');
  assert.deepEqual(bucket.spend(), { ok: false, retryAfterMs: 2000 });
});

test('retryAfterMs is 0 while tokens are there, and never waits for more than the burst', () => {
  let now = 0;
  const bucket = new TokenBucket(200, 2000, () => now);
  assert.equal(bucket.retryAfterMs(10), 0);
  bucket.take(2000);
  assert.equal(bucket.retryAfterMs(1), 5);
  assert.equal(bucket.retryAfterMs(5000), 10_000, 'a full bucket is all one can wait for');
  now += 10_000;
  assert.equal(bucket.retryAfterMs(2000), 0);
});
