import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClangDiagnostics } from './diagnostics.ts';

// Saved from clang 14 -target bpf on this project's examples.
const SAMPLE = `prog.bpf.c:9:2: error: use of undeclared identifier 'foo'
        foo = 1;
        ^
In file included from prog.bpf.c:3:
./events.h:4:7: warning: declaration does not declare anything [-Wmissing-declarations]
struct;
      ^
prog.bpf.c:5:9: note: expanded from macro 'X'
error: <unknown>:0:0: in function bpf_prog i32 (i8*): Looks like the BPF stack limit of 512 bytes is exceeded. Please move large on stack variables into BPF per-cpu array map.

clang: error: unable to execute command: Killed
2 errors generated.
`;

test('clang diagnostics keep file, line, column and severity', () => {
  const diags = parseClangDiagnostics(SAMPLE, 'prog.bpf.c');
  assert.deepEqual(
    diags.map((d) => [d.file, d.line, d.column, d.severity]),
    [
      ['prog.bpf.c', 9, 2, 'error'],
      ['events.h', 4, 7, 'warning'],
      ['prog.bpf.c', 5, 9, 'note'],
      ['prog.bpf.c', 1, 1, 'error'],
      ['prog.bpf.c', 1, 1, 'error'],
    ],
  );
  assert.equal(diags[0]!.message, "use of undeclared identifier 'foo'");
  assert.match(diags[3]!.message, /^in function bpf_prog: Looks like the BPF stack limit of 512 bytes/);
  assert.equal(diags[4]!.message, 'unable to execute command: Killed');
});

test('fatal errors count as errors', () => {
  const [d] = parseClangDiagnostics("prog.bpf.c:1:10: fatal error: 'nope.h' file not found\n", 'prog.bpf.c');
  assert.equal(d!.severity, 'error');
  assert.equal(d!.message, "'nope.h' file not found");
});

test('a struct bpf_map_def SEC("maps") from an old tutorial is named for what it is, on its line', () => {
  const stderr = `counter.bpf.c:6:20: error: variable has incomplete type 'struct bpf_map_def'
struct bpf_map_def SEC("maps") counts = {
                   ^
`;
  const [d] = parseClangDiagnostics(stderr, 'counter.bpf.c');
  assert.equal(d!.line, 6);
  assert.match(
    d!.message,
    /^This map is defined the old way, struct bpf_map_def in SEC\("maps"\), which libbpf 1\.0 removed: define it as a BTF map in SEC\("\.maps"\)/,
  );
  assert.match(d!.message, /\(clang: variable has incomplete type 'struct bpf_map_def'\)\.$/);
});
