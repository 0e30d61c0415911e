import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseState } from '../../../protocol/verifier-steps.ts';
import { boundsText } from './stepper-view.ts';

const slot = (text: string) => parseState(text)[0]!;

test('bounds read short: a known number, a frame offset, and each bound once', () => {
  assert.equal(boundsText(slot('R1=21')), '21');
  assert.equal(boundsText(slot('R2=fp-4')), 'fp-4');
  assert.equal(boundsText(slot('R10=fp0')), 'fp');
  assert.equal(boundsText(slot('R1=ctx()')), '');
  assert.equal(boundsText(slot('R0=map_value_or_null(id=1,map=counts,ks=4,vs=8)')), 'id=1 map=counts ks=4 vs=8');
  assert.equal(boundsText(slot('R6=scalar(smin=umin=smin32=umin32=21,smax=umax=smax32=umax32=28,var_off=(0x10; 0xf))')), 'umin=21 umax=28 var_off=(0x10; 0xf)');
});
