import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toMarkerSeverity } from './marker-severity.ts';

// Monaco's own numbers (monaco-editor's MarkerSeverity): bits, not 0..3.
const monaco = { MarkerSeverity: { Hint: 1, Info: 2, Warning: 4, Error: 8 } };

test("protocol severities map to Monaco's Error=8, Warning=4, Info=2", () => {
  assert.equal(toMarkerSeverity('error', monaco), 8);
  assert.equal(toMarkerSeverity('warning', monaco), 4);
  assert.equal(toMarkerSeverity('note', monaco), 2);
});
