import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MapSeed, SourceFile } from '../../protocol/messages.ts';
import { loadConfig } from '../config.ts';
import { findToolchain } from '../compile/toolchain.ts';
import { loadExamples } from '../examples/examples.ts';
import { exportProject } from '../export/project.ts';
import { collectSeeds } from './seeds.ts';

export const EXPORT_USAGE = `Usage:
  ebpf-playground export <file.bpf.c> [more files…] [options]
  ebpf-playground export --example NAME [options]

Writes the program as a standalone libbpf project (its sources, a C loader
built on the bpftool skeleton that applies the seeds, a Makefile, a README)
to a zip. Unzip it, then \`make\` and \`sudo ./NAME -d 5\`. With --go, a Go
module on cilium/ebpf instead (bpf2go's go:generate line, a main.go that
does the same): \`go mod tidy && make\`.

The zip is built on this machine, not by a server: it needs clang, bpftool
and the kernel's BTF (/sys/kernel/btf/vmlinux) here, as the playground does.

Options:
  --seed MAP:KEY=VALUE  an entry the loader writes after load, before attach
                     (repeatable; KEY and VALUE are JSON, or plain words taken
                     as strings); MAP .rodata sets globals: .rodata:0={"x":1}
  --seeds FILE       a JSON file: [{"map": …, "key": …, "value": …}]
  --example NAME     a bundled example, with its seeds
  --name NAME        the project's name, a C identifier (default: the .bpf.c
                     file's name without .bpf.c)
  --go               a Go project (cilium/ebpf + bpf2go) instead of C
  -o, --output FILE  where to write the zip (default: NAME.zip)
`;

function fail(message: string): never {
  process.stderr.write(`ebpf-playground export: ${message}\n`);
  process.exit(2);
}

/** The cache for vmlinux.h: the playground's own when this user may write it, else one in the temp dir. */
function cacheDir(preferred: string): string {
  try {
    mkdirSync(preferred, { recursive: true });
    accessSync(preferred, constants.W_OK);
    return preferred;
  } catch {
    return path.join(tmpdir(), `ebpf-playground-${process.getuid?.() ?? 'user'}`);
  }
}

/** `ebpf-playground export …`: `args` are the words after `export`. */
export async function exportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      example: { type: 'string' },
      seed: { type: 'string', multiple: true, default: [] },
      seeds: { type: 'string' },
      name: { type: 'string' },
      go: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(EXPORT_USAGE);
    process.exit(0);
  }
  if (!values.example && positionals.length === 0) fail('name a .bpf.c file (and its headers), or an example with --example NAME.');
  if (values.example && positionals.length) fail('give either files or --example, not both.');

  let files: SourceFile[];
  let seeds: MapSeed[] = [];
  if (values.example) {
    const examples = loadExamples();
    const example = examples.find((e) => e.name === values.example);
    if (!example) fail(`there is no example named "${values.example}" (have: ${examples.map((e) => e.name).join(', ')}).`);
    files = example.files;
    seeds = [...example.seeds];
  } else {
    files = positionals.map((file) => {
      try {
        return { name: path.basename(file), content: readFileSync(file, 'utf8') };
      } catch (error) {
        return fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
      }
    });
  }
  try {
    seeds.push(...collectSeeds(values.seed, values.seeds));
  } catch (error) {
    fail(`the seeds: ${(error as Error).message}`);
  }

  const config = loadConfig();
  // The user's own files on the user's own machine, as `make` will compile them:
  // no jail (which needs root to switch to nobody), only the compile's limits.
  config.compileJail = 'none';
  const toolchain = await findToolchain(cacheDir(config.cacheDir));
  const result = await exportProject({ files, seeds, name: values.name, language: values.go ? 'go' : 'c' }, { config, toolchain });
  if (!result.ok) {
    process.stderr.write(`ebpf-playground export: ${result.error}\n`);
    process.exit(1);
  }
  const output = values.output ?? `${result.name}.zip`;
  try {
    writeFileSync(output, result.zip);
  } catch (error) {
    fail(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  process.stdout.write(
    `wrote ${output}: ${result.fileNames.join(', ')}\n` + `next: unzip ${output} && cd ${result.name} && make && sudo ./${result.name} -d 5\n`,
  );
}
