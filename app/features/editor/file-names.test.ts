import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canDelete, fileNameProblem, headerTemplate, suggestHeaderName } from './file-names.ts';

test('names follow the server: letters, digits, _ . -, ending .c or .h', () => {
  const files = ['prog.bpf.c'];
  assert.equal(fileNameProblem('maps.h', files), null);
  assert.equal(fileNameProblem('my-types_2.h', files), null);
  assert.match(fileNameProblem('', files)!, /name/);
  assert.match(fileNameProblem('maps.txt', files)!, /\.c or \.h/);
  assert.match(fileNameProblem('../etc/passwd.h', files)!, /letters/);
  assert.match(fileNameProblem('.hidden.h', files)!, /letters/);
  assert.match(fileNameProblem('a b.h', files)!, /letters/);
  assert.match(fileNameProblem(`${'x'.repeat(64)}.h`, files)!, /64/);
});

test('one .c file: no second one, and the only one keeps its .c', () => {
  assert.match(fileNameProblem('other.c', ['prog.bpf.c', 'a.h'])!, /one \.c file/);
  assert.match(fileNameProblem('prog.bpf.c', ['prog.bpf.c'])!, /already/);
  assert.equal(fileNameProblem('renamed.c', ['prog.bpf.c', 'a.h'], 'prog.bpf.c'), null);
  assert.match(fileNameProblem('prog.h', ['prog.bpf.c', 'a.h'], 'prog.bpf.c')!, /needs its \.c/);
  assert.equal(canDelete('a.h', ['prog.bpf.c', 'a.h']), true);
  assert.equal(canDelete('prog.bpf.c', ['prog.bpf.c', 'a.h']), false);
});

test('a new header gets a free name after the program and an include guard', () => {
  assert.equal(suggestHeaderName(['hello_execve.bpf.c']), 'hello_execve.h');
  assert.equal(suggestHeaderName(['hello_execve.bpf.c', 'hello_execve.h']), 'hello_execve2.h');
  assert.match(headerTemplate('my-types.h'), /#ifndef __MY_TYPES_H\n#define __MY_TYPES_H\n/);
});
