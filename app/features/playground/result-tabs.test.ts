import assert from 'node:assert/strict';
import { test } from 'node:test';
import { landingTab, resultTabs, shownTab, watchedMaps, type LoadedProgram } from './result-tabs.ts';

// The maps of the bundled examples, as libbpf names them.
const hello: LoadedProgram = { maps: [{ name: 'hello_ex.rodata', type: 'array' }], printsTrace: true };
const counter: LoadedProgram = { maps: [{ name: 'execve_counter', type: 'hash' }], printsTrace: false };
const ringbuf: LoadedProgram = {
  maps: [
    { name: 'events', type: 'ringbuf' },
    { name: 'stats', type: 'array' },
  ],
  printsTrace: false,
};
const parentCore: LoadedProgram = {
  maps: [
    { name: 'exec_par.rodata', type: 'array' },
    { name: 'exec_par.bss', type: 'array' },
  ],
  printsTrace: true,
};

test('the full page shows every result tab, whatever the program', () => {
  const all = ['output', 'maps', 'events', 'inspect', 'log', 'lesson', 'room'];
  assert.deepEqual(resultTabs('full', null), all);
  assert.deepEqual(resultTabs('full', counter), all);
});

test('an embed shows Output, and Maps and Events once the loaded program has them', () => {
  assert.deepEqual(resultTabs('embed', null), ['output']);
  assert.deepEqual(resultTabs('embed', hello), ['output']);
  assert.deepEqual(resultTabs('embed', counter), ['output', 'maps']);
  assert.deepEqual(resultTabs('embed', ringbuf), ['output', 'maps', 'events']);
  assert.deepEqual(resultTabs('embed', { maps: [{ name: 'events', type: 'perf_event_array' }], printsTrace: false }), ['output', 'events']);
  // A counter in .bss changes as the program runs: worth watching.
  assert.deepEqual(resultTabs('embed', parentCore), ['output', 'maps']);
});

test('constants and event streams are not maps to watch; the own maps and the .bss and .data globals are', () => {
  const maps = [
    { name: 'prog.rodata', type: 'array' },
    { name: 'prog.rodata.str1.1', type: 'array' },
    { name: 'prog.kconfig', type: 'array' },
    { name: 'events', type: 'ringbuf' },
    { name: 'prog.bss', type: 'array' },
    { name: 'prog.data.custom', type: 'array' },
    { name: 'counts', type: 'percpu_hash' },
  ];
  assert.deepEqual(
    watchedMaps(maps).map((m) => m.name),
    ['prog.bss', 'prog.data.custom', 'counts'],
  );
});

test('an embed whose program prints nothing opens where its results are', () => {
  assert.equal(landingTab('embed', counter), 'maps');
  assert.equal(landingTab('embed', ringbuf), 'events');
  // A program that prints stays on Output; one with nothing to show anywhere too.
  assert.equal(landingTab('embed', parentCore), null);
  assert.equal(landingTab('embed', { maps: [{ name: 'p.rodata', type: 'array' }], printsTrace: false }), null);
  // The full page leaves the tab where the user put it.
  assert.equal(landingTab('full', counter), null);
});

test('a chosen tab the layout no longer has falls back to the first', () => {
  assert.equal(shownTab('maps', ['output', 'maps']), 'maps');
  assert.equal(shownTab('maps', ['output']), 'output');
});
