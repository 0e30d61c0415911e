// Needs: root and a kernel that loads BPF: compiles in the jail, opens and loads through the runner.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, loadConfig, type Config } from '../config.ts';
import { compile } from '../compile/compiler.ts';
import { findToolchain, type Toolchain } from '../compile/toolchain.ts';
import { Runner } from '../runner/runner.ts';
import type { SourceFile } from '../../protocol/messages.ts';
import { dumpLoadedCode, inspectObject } from './inspect.ts';

const HELLO: SourceFile = {
  name: 'hello_execve.bpf.c',
  content: readFileSync(path.join(ROOT, 'bpf', 'examples', 'hello_execve.bpf.c'), 'utf8'),
};
const SECTION = 'tracepoint/syscalls/sys_enter_execve';

let config: Config;
let toolchain: Toolchain;
let object: Buffer;

before(async () => {
  config = loadConfig();
  toolchain = await findToolchain(config.cacheDir);
  const compiled = await compile(config, toolchain, [HELLO], { traceTag: '' });
  assert.equal(compiled.ok, true, compiled.log);
  object = compiled.object!;
});

describe('inspectObject, on hello_execve compiled for real', () => {
  test('lists the program section with its size, and shows C above the instructions', async (t) => {
    const result = await inspectObject(config, toolchain, [HELLO], object, 'hello_execve');

    const section = result.sections.find((s) => s.name === SECTION);
    assert.ok(section, result.sections.map((s) => s.name).join(', '));
    assert.equal(section.type, 'PROGBITS');
    assert.equal(section.flags, 'AX');
    // libbpf's own reading of the object: 8 bytes per instruction of the program in that section.
    const runner = new Runner();
    t.after(() => runner.kill());
    const opened = await runner.call('open', { object, name: 'hello_execve' });
    assert.equal(section.size, opened.instructions.bpf_prog!.byteLength);
    assert.ok(result.sections.some((s) => s.name === 'license' && s.flags === 'WA'));
    assert.ok(!result.sections.some((s) => s.name === ''), 'the null section is left out');

    assert.match(result.disassembly, /^\s+\d+:\tr0 = (0x)?0$/m, 'llvm-objdump 19 writes immediates in hex');
    assert.match(result.disassembly, /^\s+\d+:\texit$/m);
    assert.match(result.disassembly, /^; \tbpf_printk\("invoke bpf_prog: %s\\n", msg\);$/m, 'the C line above its instructions');
    assert.match(result.disassembly, /\tcall bpf_trace_printk#6$/m, 'the helper named, as the verifier log names it');
    assert.doesNotMatch(result.disassembly, /^\s+\d+:\t[0-9a-f]{2} /m, 'no raw instruction bytes');
    assert.doesNotMatch(result.disassembly, /^; \/work\/|^; bpf_prog\(\):$/m, 'the locations are data, not text');
    // The helper call's row is one of the rows of the bpf_printk line.
    const rows = result.disassembly.split('\n');
    const callRow = rows.findIndex((r) => r.endsWith('call bpf_trace_printk#6')) + 1;
    const printk = result.disassemblyLines.find((b) => b.firstRow <= callRow && callRow <= b.lastRow);
    assert.deepEqual(printk && { file: printk.file, line: printk.line }, { file: 'hello_execve.bpf.c', line: 11 });

    assert.match(result.btf, /FUNC 'bpf_prog'/);
    assert.match(result.btf, /VAR 'LICENSE'/);
    assert.match(result.btf, /#ifndef __VMLINUX_H__/, 'the C form comes first');

    const all = JSON.stringify(result);
    assert.doesNotMatch(all, /\/work\/|\/tmp\/|ebpf-playground-/, 'no temp paths');
  });

  test('without the sources the instructions are still there, with no C lines', async () => {
    const result = await inspectObject(config, toolchain, [], object, 'hello_execve');
    assert.match(result.disassembly, /call bpf_trace_printk#6/);
    assert.doesNotMatch(result.disassembly, /bpf_printk\(/);
  });

  test('an object that is not ELF gives readable failures, not an exception', async () => {
    const result = await inspectObject(config, toolchain, [HELLO], Buffer.from('not an ELF file'), 'broken');
    assert.deepEqual(result.sections, []);
    assert.match(result.disassembly, /^llvm-objdump failed: /);
    assert.match(result.btf, /^bpftool could not read this object's BTF: /);
    assert.doesNotMatch(JSON.stringify(result), /\/work\/|\/tmp\//);
  });
});

describe('dumpLoadedCode', () => {
  test("shows the verifier's program with its helper call, and JIT code only where bpftool can", async (t) => {
    const runner = new Runner();
    t.after(() => runner.kill());
    await runner.call('open', { object, name: 'hello_execve' });
    const loaded = await runner.call('load', {});
    const programs = loaded.programs.map((p) => ({ name: p.name, id: p.id! }));
    assert.equal(programs.length, 1);
    assert.ok(programs[0]!.id > 0);

    const [code] = await dumpLoadedCode(programs, [HELLO.name]);
    assert.equal(code!.name, 'bpf_prog');
    assert.match(code!.xlated, /\(85\) call bpf_trace_printk#/);
    assert.match(code!.xlated, /\(95\) exit/);
    assert.match(code!.xlated, /^; bpf_printk\(.*\);$/m, 'the C lines from the BTF line info, without their file and line');
    const rows = code!.xlated.split('\n');
    const callRow = rows.findIndex((r) => /\(85\) call bpf_trace_printk#/.test(r)) + 1;
    const printk = code!.xlatedLines.find((b) => b.firstRow <= callRow && callRow <= b.lastRow);
    assert.deepEqual(printk && { file: printk.file, line: printk.line }, { file: 'hello_execve.bpf.c', line: 11 });
    // Debian's bpftool has no disassembler for JITed code; a bpftool built with libbfd shows it.
    if (code!.jited !== null) assert.ok(code!.jited.length > 0);
  });

  test('a program that is gone is reported in the text', async () => {
    const [code] = await dumpLoadedCode([{ name: 'gone', id: 2 ** 31 - 1 }]);
    assert.match(code!.xlated, /^bpftool could not show program gone \(id 2147483647\): /);
    assert.equal(code!.jited, null);
  });
});
