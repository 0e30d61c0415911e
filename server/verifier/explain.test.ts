import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { explainVerifierLog, parseVerifierLog } from './explain.ts';

// The fixtures are verifier logs saved from Linux 6.18 (log_level 1) for the
// programs in programs/ and a few variants, compiled as prog.bpf.c by the
// playground's own pipeline. too_many_insns.log is the last 3000 bytes of a
// 1 MB log: the kernel's log rotates and keeps its end, cut mid-line as here.
// The *_level2* ones come from `bpftool -d prog load` (log_level 1|2|4).
// unbounded_loop_jumps.log is the last 3000 bytes of the 1 MB log of a loop
// over execve's argv with no bound (the lesson verifier-2-bounded-loop's
// starter, with the marker); scalar_deref_random.log dereferences a random number.
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}.log`, import.meta.url), 'utf8');
const FILES = { mainFile: 'prog.bpf.c', files: ['prog.bpf.c'] };

interface Case {
  fixture: string;
  kind: string;
  summary: string;
  line: number;
  insn: number;
}

const CASES: Case[] = [
  {
    fixture: 'unbounded_loop',
    kind: 'unbounded_loop',
    summary: 'This loop can never end: the verifier came back to instruction 3 with nothing changed since the last turn.',
    line: 11,
    insn: 2,
  },
  {
    fixture: 'null_deref',
    kind: 'null_deref',
    summary: 'R0 may be NULL here: the pointer from bpf_map_lookup_elem (map counts) is used without checking it for NULL first.',
    line: 20,
    insn: 7,
  },
  {
    fixture: 'out_of_bounds',
    kind: 'out_of_bounds',
    summary: 'This write of 8 bytes at offset 32 goes outside the map value, which is only 8 bytes long.',
    line: 23,
    insn: 9,
  },
  {
    fixture: 'out_of_bounds_branch',
    kind: 'out_of_bounds',
    summary: 'This write of 8 bytes at offset 32 goes outside the map value, which is only 8 bytes long.',
    line: 26,
    insn: 24,
  },
  {
    fixture: 'out_of_bounds_stack',
    kind: 'out_of_bounds',
    summary: 'The index added to R1 can take this write outside the stack buffer it points into.',
    line: 11,
    insn: 10,
  },
  {
    fixture: 'missing_return',
    kind: 'missing_return',
    summary: 'The function reaches its end without setting a return value: nothing was written to R0 before `exit`.',
    line: 14,
    insn: 5,
  },
  {
    fixture: 'unknown_helper',
    kind: 'unknown_helper',
    summary: 'This program type may not call bpf_skb_load_bytes (helper #26): it belongs to other kinds of BPF programs.',
    line: 11,
    insn: 4,
  },
  {
    fixture: 'gpl_only',
    kind: 'gpl_only',
    summary: "bpf_probe_read_kernel may only be called by GPL-compatible programs, and this program's license is not one.",
    line: 11,
    insn: 6,
  },
  {
    fixture: 'too_many_insns',
    kind: 'too_many_insns',
    summary:
      'The verifier gave up after checking 1,000,001 instructions (its limit is 1,000,000): it walks every turn of every loop and every branch, and this program needs more than that.',
    line: 24,
    insn: 10,
  },
  {
    fixture: 'bad_arg_size',
    kind: 'bad_arg_size',
    summary: 'The size passed to bpf_probe_read_kernel in R2 (its second argument) may be negative.',
    line: 15,
    insn: 12,
  },
  {
    fixture: 'bad_arg_size_unbounded',
    kind: 'bad_arg_size',
    summary:
      'The size passed to bpf_probe_read_kernel in R2 (its second argument) has no upper bound the verifier can see, so it could be larger than the buffer.',
    line: 11,
    insn: 6,
  },
  {
    fixture: 'bad_arg_size_stack',
    kind: 'bad_arg_size',
    summary: 'The size passed to bpf_get_current_comm (32 bytes) is larger than the stack buffer in R1.',
    line: 10,
    insn: 3,
  },
  {
    fixture: 'bad_arg_size_map_value',
    kind: 'bad_arg_size',
    summary: 'The size passed to bpf_get_current_comm (16 bytes) is larger than the map value in R1, which is only 8 bytes.',
    line: 20,
    insn: 10,
  },
  {
    fixture: 'bad_ctx_access',
    kind: 'bad_ctx_access',
    summary: 'The program reads 8 bytes at offset 16384 of its context (ctx), which is not a field this program type may read.',
    line: 12,
    insn: 0,
  },
  {
    fixture: 'scalar_deref',
    kind: 'scalar_deref',
    summary:
      'R0 is a plain number to the verifier, not a pointer it can check: it is what bpf_get_current_task returned. A BPF program may not read memory through it directly.',
    line: 14,
    insn: 1,
  },
  {
    fixture: 'scalar_deref_random',
    kind: 'scalar_deref',
    summary:
      'R0 is a plain number to the verifier, not a pointer it can check: it is what bpf_get_prandom_u32 returned. A BPF program may not read memory through it directly.',
    line: 10,
    insn: 3,
  },
  {
    fixture: 'unbounded_loop_jumps',
    kind: 'unbounded_loop',
    summary:
      'The verifier went round this loop until it had 8,193 branches waiting to be checked, and gave up: nothing bounds the number of turns, so it cannot prove the loop ends.',
    line: 14,
    insn: 20,
  },
];

for (const c of CASES) {
  test(`${c.fixture}.log is explained as ${c.kind} on line ${c.line}`, () => {
    const { explanation, diagnostics } = explainVerifierLog(fixture(c.fixture), FILES);
    assert.ok(explanation);
    assert.equal(explanation.kind, c.kind);
    assert.equal(explanation.summary, c.summary);
    assert.ok(explanation.hint.length > 20, 'a hint is given');
    assert.deepEqual([explanation.file, explanation.line, explanation.insn], ['prog.bpf.c', c.line, c.insn]);
    assert.deepEqual(diagnostics, [{ file: 'prog.bpf.c', line: c.line, column: 1, severity: 'error', message: c.summary, source: 'verifier' }]);
  });
}

test('each class has its own hint, and every fixture line is the one its program marks', () => {
  const hints = new Map<string, string>();
  for (const c of CASES) {
    const { explanation } = explainVerifierLog(fixture(c.fixture), FILES);
    const seen = hints.get(c.kind);
    if (seen) assert.equal(explanation!.hint, seen);
    hints.set(c.kind, explanation!.hint);
  }
  assert.equal(new Set(hints.values()).size, hints.size);
  // The source text the kernel printed for the failing line carries the marker.
  for (const c of CASES) {
    const parsed = parseVerifierLog(fixture(c.fixture));
    assert.match(parsed.annotations.filter((a) => a.line > 0).at(-1)!.text, /\/\* fails here \*\/$/, c.fixture);
  }
});

test('the error is the lines after the last instruction, without state dumps', () => {
  assert.deepEqual(parseVerifierLog(fixture('unbounded_loop')).errors, ['infinite loop detected at insn 3']);
  assert.deepEqual(parseVerifierLog(fixture('out_of_bounds')).errors, [
    'invalid access to map value, value_size=8 off=32 size=8',
    'R0 min value is outside of the allowed memory range',
  ]);
});

test('a line in a header maps to that header, by the name the user gave it', () => {
  // bump() is a noinline function in counter.h, called from prog.bpf.c.
  const log = fixture('null_deref_header');
  const options = { mainFile: 'prog.bpf.c', files: ['prog.bpf.c', 'counter.h'] };
  const { explanation, diagnostics } = explainVerifierLog(log, options);
  assert.equal(explanation?.kind, 'null_deref');
  assert.deepEqual([explanation?.file, explanation?.line], ['counter.h', 12]);
  assert.equal(diagnostics[0]?.file, 'counter.h');

  // The jail's paths and ./ spellings name the same files.
  const jailed = log.replaceAll('@ counter.h:', '@ /work/counter.h:').replaceAll('@ prog.bpf.c:', '@ ./prog.bpf.c:');
  assert.deepEqual(
    explainVerifierLog(jailed, options).diagnostics.map((d) => [d.file, d.line]),
    [['counter.h', 12]],
  );
});

test('a line in a header the user did not write falls back to their last line before it', () => {
  const log = fixture('null_deref_header').replaceAll('@ counter.h:', '@ /usr/include/bpf/counter.h:');
  const { explanation } = explainVerifierLog(log, FILES);
  assert.deepEqual([explanation?.kind, explanation?.file, explanation?.line], ['null_deref', 'prog.bpf.c', 9]);
});

test('the compile unit is the main file even when the line info spells it differently', () => {
  const log = fixture('null_deref').replaceAll('@ prog.bpf.c:', '@ /tmp/ebpf-playground-x1/main.c:');
  const { explanation } = explainVerifierLog(log, { mainFile: 'counter.bpf.c', files: ['counter.bpf.c', 'types.h'] });
  assert.deepEqual([explanation?.file, explanation?.line], ['counter.bpf.c', 20]);
});

test('log_level 2 logs (precision marks, live registers, stats) read the same', () => {
  // Saved from `bpftool -d prog load` on this kernel: libbpf's debug output around a level 2|4 log.
  const loop = explainVerifierLog(fixture('unbounded_loop_level2_bpftool'), { mainFile: 'unbounded_loop.bpf.c', files: ['unbounded_loop.bpf.c'] });
  assert.deepEqual(
    [loop.explanation?.kind, loop.explanation?.file, loop.explanation?.line, loop.explanation?.insn],
    ['unbounded_loop', 'unbounded_loop.bpf.c', 11, 2],
  );
  assert.deepEqual(parseVerifierLog(fixture('unbounded_loop_level2_bpftool')).errors, ['infinite loop detected at insn 3']);
  const nd = explainVerifierLog(fixture('null_deref_level2'), { mainFile: 'null_deref.bpf.c', files: ['null_deref.bpf.c'] });
  assert.equal(nd.explanation?.summary, 'R0 may be NULL here: the pointer from bpf_map_lookup_elem (map counts) is used without checking it for NULL first.');
  assert.deepEqual(
    nd.diagnostics.map((d) => [d.file, d.line]),
    [['null_deref.bpf.c', 20]],
  );
});

test('a log the server clipped to its head and tail still finds the error and the line', () => {
  // The 1 MB too_many_insns log through the server's clipLog (run/load-failure.ts) at 4 KiB: both cuts fall mid-line.
  const log = fixture('too_many_insns_clipped');
  assert.match(log, /characters of the log are left out here/);
  const { explanation } = explainVerifierLog(log, FILES);
  assert.deepEqual([explanation?.kind, explanation?.line, explanation?.insn], ['too_many_insns', 24, 10]);
});

test("libbpf's framing around the log is ignored", () => {
  const framed = `libbpf: prog 'null_deref': BPF program load failed: Permission denied\nlibbpf: prog 'null_deref': -- BEGIN PROG LOAD LOG --\n${fixture('null_deref')}-- END PROG LOAD LOG --\nlibbpf: prog 'null_deref': failed to load: -13\n`;
  const { explanation } = explainVerifierLog(framed, FILES);
  assert.deepEqual([explanation?.kind, explanation?.line, explanation?.insn], ['null_deref', 20, 7]);
});

test('a log without an error explains nothing', () => {
  const passed = 'processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0\n';
  assert.deepEqual(explainVerifierLog(passed, FILES), { explanation: null, diagnostics: [] });
  assert.deepEqual(explainVerifierLog('', FILES), { explanation: null, diagnostics: [] });
});

// Older kernels: `; source` annotations without a location, and older wording.
// Written by hand from those kernels' format strings, not captured here.
test("older kernels' wording is classified, with no line when the log gives none", () => {
  const older = (body: string) =>
    `0: (b7) r1 = 0\n; __u32 key = 0;\n1: (63) *(u32 *)(r10 -4) = r1\n${body}\nprocessed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n`;
  const cases: [string, string][] = [
    ['2: (85) call bpf_skb_load_bytes#26\nunknown func bpf_skb_load_bytes#26', 'unknown_helper'],
    ["2: (79) r1 = *(u64 *)(r0 +0)\nR0 invalid mem access 'map_value_or_null'", 'null_deref'],
    ['2: (85) call bpf_map_update_elem#2\nR3 type=map_value_or_null expected=fp', 'null_deref'],
    ["2: (85) call bpf_probe_read#4\nR2 min value is negative, either use unsigned or 'var &= const'", 'bad_arg_size'],
    ['2: (85) call bpf_probe_read_str#45\nR2 invalid zero-sized read', 'bad_arg_size'],
    ['2: (85) call bpf_map_update_elem#2\ninvalid indirect read from stack off -16+0 size 8', 'bad_arg_size'],
    ['2: (7b) *(u64 *)(r10 -520) = r1\ninvalid stack off=-520 size=8', 'out_of_bounds'],
    ['2: (0f) r0 += r1\nR0 min value is negative, either use unsigned index or do a if (index >=0) check.', 'out_of_bounds'],
    ['2: (85) call bpf_trace_printk#6\ncannot call GPL-restricted function from non-GPL compatible program', 'gpl_only'],
    ['2: (95) exit\nR0 !read_ok', 'missing_return'],
    ['2: (bf) r1 = r2\nBPF program is too large. Processed 131073 insn', 'too_many_insns'],
    ['2: (61) r0 = *(u32 *)(r1 +4096)\ninvalid bpf_context access off=4096 size=4', 'bad_ctx_access'],
    ['2: (85) call bpf_get_current_comm#16\nR3 !read_ok', 'other'],
  ];
  for (const [body, kind] of cases) {
    const { explanation, diagnostics } = explainVerifierLog(older(body), FILES);
    assert.equal(explanation?.kind, kind, body);
    assert.equal(explanation?.line, undefined);
    assert.deepEqual(diagnostics, []);
  }
  // check_cfg's refusal comes before any instruction is printed.
  const loop = explainVerifierLog('back-edge from insn 3 to 2\n', FILES).explanation;
  assert.equal(loop?.kind, 'unbounded_loop');
  assert.equal(
    loop?.summary,
    'The verifier refuses this loop: it jumps back from instruction 3 to 2, and this kernel (or this user) may only run loops it can prove end.',
  );
  assert.equal(loop?.insn, undefined);
});

test('the generic fallback quotes the last error line', () => {
  const { explanation } = explainVerifierLog(
    fixture('gpl_only').replace('cannot call GPL-restricted function from non-GPL compatible program', 'something new the kernel says'),
    FILES,
  );
  assert.equal(explanation?.kind, 'other');
  assert.equal(explanation?.summary, 'The verifier rejected the program: "something new the kernel says".');
  assert.equal(explanation?.line, 11);
});

test('a bpf_spin_lock in a tracing program is named for what it is, with no line: the kernel refused it before the walk', () => {
  const { explanation, diagnostics } = explainVerifierLog(fixture('spin_lock_tracing'), FILES);
  assert.equal(explanation?.kind, 'spin_lock_tracing');
  assert.match(explanation.summary, /value holds a bpf_spin_lock, and tracing programs .* may not/);
  assert.match(explanation.hint, /__sync_fetch_and_add/);
  assert.equal(explanation.line, undefined);
  assert.deepEqual(diagnostics, []);
});

test('functions whose stacks add up to more than 512 bytes: the sum and each part, with no line (the check comes after the walk)', () => {
  const { explanation, diagnostics } = explainVerifierLog(fixture('stack_limit'), FILES);
  assert.equal(explanation?.kind, 'stack_limit');
  assert.equal(
    explanation.summary,
    'Two functions on one call path, each calling the next, use 608 bytes of stack together (304 + 304), more than the 512 bytes a BPF program may use.',
  );
  assert.match(explanation.hint, /bpf_ringbuf_reserve/);
  assert.equal(explanation.line, undefined);
  assert.deepEqual(diagnostics, []);
  // Frames are rounded up before they are added: 280 counts as 288.
  const rounded = fixture('stack_limit').replace('is 608', 'is 544').replace('304+304', '280+256');
  assert.equal(
    explainVerifierLog(rounded, FILES).explanation?.summary,
    'Two functions on one call path, each calling the next, use 544 bytes of stack together (280 + 256, each rounded up for alignment), more than the 512 bytes a BPF program may use.',
  );
});

test('too many jumps outside a loop stays too_many_insns', () => {
  const straight = `0: (b7) r0 = 0\n1: (15) if r1 == 0x0 goto pc+1\nThe sequence of 8193 jumps is too complex.\nprocessed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n`;
  assert.equal(explainVerifierLog(straight, FILES).explanation?.kind, 'too_many_insns');
});
