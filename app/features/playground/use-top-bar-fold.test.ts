import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldsForWidth } from './use-top-bar-fold.ts';

// The bar needed 1100 px with nothing folded, 1000 with one step folded, 900 with two.
const needed = [1100, 1000, 900];

test('a folded step comes back once the bar is as wide as it needed without it', () => {
  assert.equal(foldsForWidth(3, 899, needed), 3);
  assert.equal(foldsForWidth(3, 900, needed), 2);
  assert.equal(foldsForWidth(3, 1050, needed), 1);
  assert.equal(foldsForWidth(3, 1440, needed), 0);
});

test('a width never measured keeps its fold until the bar is measured again', () => {
  assert.equal(foldsForWidth(2, 1440, [undefined, 1000]), 1);
  assert.equal(foldsForWidth(0, 500, needed), 0);
});
