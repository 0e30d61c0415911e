// Needs: nothing (no root, no kernel): clang compiles outside the jail (the jail switches to
// nobody, which only root can), and nothing is loaded. Projects built with make or go and run
// as root are in project.kernel.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import type { MapSeed, SourceFile } from '../../protocol/messages.ts';
import { ROOT, loadConfig } from '../config.ts';
import { exportProject } from './project.ts';
import { exportFixture } from './export-fixture.ts';

const run = promisify(execFile);

const fixture = exportFixture((workdir) => ({ ...loadConfig({}), compileJail: 'none', cacheDir: path.join(workdir, 'cache') }));
const { example, exported } = fixture;

async function refusal(files: SourceFile[], seeds: MapSeed[], name?: string): Promise<string> {
  const result = await exportProject({ files, seeds, name }, { config: fixture.config, toolchain: fixture.toolchain });
  assert.equal(result.ok, false, 'the export should have been refused');
  return result.ok ? '' : result.error;
}

describe('exportProject: what goes in the zip', () => {
  test('the sources go in unchanged, beside a loader, a Makefile and a README; nothing refers to the playground', async () => {
    const bootstrap = example('bootstrap');
    const result = await exported(bootstrap.files, []);
    assert.equal(result.name, 'bootstrap');
    assert.deepEqual(result.fileNames.sort(), [
      'bootstrap/.gitignore',
      'bootstrap/Makefile',
      'bootstrap/README.md',
      'bootstrap/src/bootstrap.bpf.c',
      'bootstrap/src/bootstrap.c',
      'bootstrap/src/bootstrap.h',
    ]);
    const files = unzipSync(result.zip);
    const text = (name: string) => new TextDecoder().decode(files[name]);
    for (const file of bootstrap.files) assert.equal(text(`bootstrap/src/${file.name}`), file.content);
    const makefile = text('bootstrap/Makefile');
    assert.match(makefile, /-target bpf -D__TARGET_ARCH_\$\(ARCH\)/);
    assert.match(makefile, /\$\(CLANG\) -v -E - <\/dev\/null/);
    assert.match(makefile, /btf dump file \/sys\/kernel\/btf\/vmlinux format c > \$@/);
    assert.match(makefile, /gen skeleton \$< name \$\(APP\)_bpf/);
    assert.match(makefile, /-lbpf -lelf -lz/);
    assert.match(makefile, /^clean:/m);
    assert.match(text('bootstrap/README.md'), /sudo \.\/bootstrap -d 5/);
    assert.match(text('bootstrap/README.md'), /libbpf-dev libelf-dev zlib1g-dev/);
    const loader = text('bootstrap/src/bootstrap.c');
    assert.match(loader, /bootstrap_bpf__open\(\)/);
    assert.match(loader, /static void print_struct_event\(const unsigned char \*p\)/, 'a printer for the record type only the header defines');
    for (const name of result.fileNames) assert.doesNotMatch(text(name), /PLAYGROUND_TRACE_TAG|bpf\/include|\[pg:/, name);
  });

  test("no vmlinux.h in the Makefile's rules when no source includes it", async () => {
    const result = await exported(example('hello_execve').files, []);
    const makefile = new TextDecoder().decode(unzipSync(result.zip)['hello_execve/Makefile']);
    assert.match(makefile, /^\$\(OUTPUT\)\/\$\(APP\)\.bpf\.o: \$\(BPF_SRC\) \$\(BPF_HEADERS\) \| \$\(OUTPUT\)$/m);
  });

  test("a seed becomes C bytes encoded by the map's BTF types, written between load and attach", async () => {
    const counter = example('execve_counter');
    const result = await exported(counter.files, counter.seeds);
    const loader = new TextDecoder().decode(unzipSync(result.zip)['execve_counter/src/execve_counter.c']);
    const bytes = (array: string) => {
      const body = new RegExp(`static const unsigned char ${array}\\[\\d+\\] = \\{([^}]*)\\}`).exec(loader)?.[1] ?? '';
      return [...body.matchAll(/0x([0-9a-f]{2})/g)].map((m) => parseInt(m[1]!, 16));
    };
    assert.deepEqual(bytes('key'), [...new TextEncoder().encode('execve_counter'), ...new Array(64 - 14).fill(0)], 'the string and its zero padding');
    assert.deepEqual(bytes('value'), new Array(8).fill(0), 'a u64 0');
    const load = loader.indexOf('execve_counter_bpf__load(skel)');
    const seed = loader.indexOf('bpf_map__update_elem(skel->maps.execve_counter');
    const attach = loader.indexOf('execve_counter_bpf__attach(skel)');
    assert.ok(load < seed && seed < attach, 'load, then seed, then attach');
  });

  test('refuses what the playground refuses, in one sentence', async () => {
    const hello = example('hello_execve').files;
    assert.match(await refusal([...hello, { name: 'two.c', content: '' }], []), /^Put the program in one \.c file/);
    assert.match(await refusal([{ name: '../x.c', content: '' }], []), /is not a usable file name/);
    assert.match(
      await refusal([{ name: 'x.bpf.c', content: 'int main(void) { return nope; }\n' }], []),
      /^x\.bpf\.c:1:\d+: use of undeclared identifier 'nope'$/,
    );
    assert.match(await refusal(hello, [], '9lives'), /^"9lives" cannot name the project: use a C identifier/);
    assert.match(await refusal(hello, [], 'clean'), /the Makefile uses it/);
    assert.match(await refusal([{ name: 'tool.c', content: hello[0]!.content }], [], 'tool'), /src\/tool\.c.*choose another project name\.$/);
    const counter = example('execve_counter').files;
    assert.equal(await refusal(counter, [{ map: 'nope', key: 1, value: 1 }]), 'The seed for map nope names no map of this program; remove it in Seeds.');
    assert.match(
      await refusal(counter, [{ map: 'execve_counter', key: 'x'.repeat(64), value: 1 }]),
      /^Seeding map execve_counter failed: .* is 64 bytes but key is stringkey/,
    );
    assert.equal(
      await refusal(example('open_events_ringbuf').files, [{ map: 'events', key: 0, value: 0 }]),
      'Seeding map events failed: map events (ringbuf) cannot be written from user space here.',
    );
    assert.equal(
      await refusal(example('open_events_ringbuf').files, [{ map: 'stats', key: 2, value: 1 }]),
      'Seeding map stats failed: index 2 is out of range: map stats holds indexes 0 to 1.',
    );
    const core = example('exec_parent_core').files;
    assert.equal(
      await refusal(core, [{ map: '.rodata', key: 0, value: { target_pid: 1 } }]),
      'Setting .rodata failed: unknown variable "target_pid" in SEC(".rodata") (variables: target_ppid).',
    );
    assert.match(await refusal(core, [{ map: '.rodata', key: 0, value: 5 }]), /give the globals of \.rodata as an object/);

    const codes = await Promise.all([
      exportProject({ files: [...hello, { name: 'two.c', content: '' }], seeds: [] }, { config: fixture.config, toolchain: fixture.toolchain }),
      exportProject({ files: [{ name: 'x.bpf.c', content: 'nope' }], seeds: [] }, { config: fixture.config, toolchain: fixture.toolchain }),
      exportProject({ files: counter, seeds: [{ map: 'nope', key: 1, value: 1 }] }, { config: fixture.config, toolchain: fixture.toolchain }),
    ]);
    assert.deepEqual(
      codes.map((r) => (r.ok ? 'ok' : r.code)),
      ['bad_request', 'compile_failed', 'seed_failed'],
    );
  });
});

describe('ebpf-playground export', () => {
  test('writes the zip of an example locally, with no server', async () => {
    const output = path.join(fixture.workdir, 'cli.zip');
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'server', 'cli', 'bin.js'), 'export', '--example', 'execve_counter', '-o', output], {
      timeout: 30_000,
    });
    assert.match(stdout, /^wrote .*cli\.zip: execve_counter\/src\/execve_counter\.bpf\.c, /);
    const files = unzipSync(readFileSync(output));
    assert.ok(files['execve_counter/src/execve_counter.c']);
    assert.match(new TextDecoder().decode(files['execve_counter/src/execve_counter.c']), /bpf_map__update_elem\(skel->maps\.execve_counter/);
  });

  test('--go writes the Go project of an example', async () => {
    const output = path.join(fixture.workdir, 'cli-go.zip');
    await run(process.execPath, [path.join(ROOT, 'server', 'cli', 'bin.js'), 'export', '--example', 'execve_counter', '--go', '-o', output], {
      timeout: 30_000,
    });
    const files = unzipSync(readFileSync(output));
    assert.match(new TextDecoder().decode(files['execve_counter/main.go']), /^\tspec, err := loadBpf\(\)$/m);
  });

  test('says what is wrong with a seed, and exits 1', async () => {
    const source = path.join(ROOT, 'bpf', 'examples', 'exec_parent_core.bpf.c');
    await assert.rejects(
      run(
        process.execPath,
        [path.join(ROOT, 'server', 'cli', 'bin.js'), 'export', source, '--seed', '.rodata:0={"nope":1}', '-o', path.join(fixture.workdir, 'x.zip')],
        { timeout: 30_000 },
      ),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.equal(error.stderr, 'ebpf-playground export: Setting .rodata failed: unknown variable "nope" in SEC(".rodata") (variables: target_ppid).\n');
        return true;
      },
    );
  });
});
