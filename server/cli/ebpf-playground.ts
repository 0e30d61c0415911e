import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runRemote } from './remote-run.ts';
import { PlaygroundConnection } from './connection.ts';
import { localAccessToken } from '../access-token.ts';
import { loadConfig } from '../config.ts';
import { collectSeeds } from './seeds.ts';
import { writeOut } from './write-out.ts';
import { humanReport } from './human-report.ts';
import { exportCommand } from './export-command.ts';
import { lessonCommand } from './lesson-command.ts';
import { PERF_EVENT_NAMES, type AttachSettings, type MapSeed, type PerfEventName } from '../../protocol/messages.ts';

const USAGE = `Usage:
  ebpf-playground run <file.bpf.c> [more files…] [options]
  ebpf-playground run --example NAME [options]
  ebpf-playground kernels [--json]
                     (the kernels the server offers: name, kind, version and
                     what each loads and attaches)
  ebpf-playground export <file.bpf.c> [more files…] | --example NAME [options]
                     (a standalone libbpf project as a zip, built on this
                     machine; see ebpf-playground export --help)

Options of run:
  --seconds N        how long to let it run (default 2)
  --seed MAP:KEY=VALUE  an entry written after load, before attach (repeatable;
                     KEY and VALUE are JSON, or plain words taken as strings)
  --seeds FILE       a JSON file: [{"map": …, "key": …, "value": …}]
  --trigger exec|open  ask the server to make an event every 200 ms while running
                     (where the program's kernel is: the host, or its VM)
  --kernel NAME      run on this kernel (see ebpf-playground kernels), e.g. 6.12
                     for a VM of your own with Debian's 6.12 kernel
  --perf-event NAME  what perf_event programs sample: cpu-clock (default), cycles,
                     instructions, cache-references, cache-misses, branch-misses
  --binary PATH      the binary uprobe and usdt programs watch, where the kernel
                     is (default: the playground's target program; on the host
                     kernel it is the only one allowed)
  --function NAME    for SEC("uprobe") or SEC("usdt") with no target: a function,
                     or provider:name
  --pid N            watch only this process (VM kernels)
  --verifier-steps   load with the verifier's every step logged (log level 2);
                     with --json, verifierSteps holds each step: its
                     instruction, C file and line, registers and stack;
                     verifierFlow its basic blocks and the path to a rejection
  --json             print one JSON object
  --server URL       default $PLAYGROUND_URL or http://127.0.0.1:3000
`;

function fail(message: string): never {
  process.stderr.write(`ebpf-playground: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // On the backend's own machine, as root, the CLI finds the token the backend made.
  process.env.PLAYGROUND_TOKEN ??= localAccessToken(configuredDataDir());
  if (process.argv[2] === 'export') return exportCommand(process.argv.slice(3));
  if (process.argv[2] === 'lesson') return lessonCommand(process.argv.slice(3));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '2' },
      example: { type: 'string' },
      seed: { type: 'string', multiple: true, default: [] },
      seeds: { type: 'string' },
      trigger: { type: 'string' },
      kernel: { type: 'string' },
      'perf-event': { type: 'string' },
      binary: { type: 'string' },
      function: { type: 'string' },
      pid: { type: 'string' },
      'verifier-steps': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      server: { type: 'string', default: process.env.PLAYGROUND_URL ?? 'http://127.0.0.1:3000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...files] = positionals;
  if (command === 'kernels' && !values.help) return kernelsCommand(values.server, values.json);
  if (values.help || command !== 'run') {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) fail('--seconds takes a number from 0 to 3600.');
  if (values.trigger && values.trigger !== 'exec' && values.trigger !== 'open') fail('--trigger takes exec or open.');
  if (!values.example && files.length === 0) fail('name a .bpf.c file, or an example with --example NAME.');
  const perfEvent = values['perf-event'];
  if (perfEvent !== undefined && !(PERF_EVENT_NAMES as readonly string[]).includes(perfEvent))
    fail(`--perf-event takes one of ${PERF_EVENT_NAMES.join(', ')}.`);
  const pid = values.pid === undefined ? undefined : Number(values.pid);
  if (pid !== undefined && !(Number.isInteger(pid) && pid > 0)) fail('--pid takes a process id.');
  const attach: AttachSettings = {
    ...(perfEvent ? { perfEvent: perfEvent as PerfEventName } : {}),
    ...(values.binary ? { binary: values.binary } : {}),
    ...(values.function ? { function: values.function } : {}),
    ...(pid ? { pid } : {}),
  };

  let seeds: MapSeed[] = [];
  try {
    seeds = collectSeeds(values.seed, values.seeds);
  } catch (error) {
    fail((error as Error).message);
  }
  const sources = files.map((file) => {
    try {
      return { name: path.basename(file), content: readFileSync(file, 'utf8') };
    } catch (error) {
      return fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  });

  const report = await runRemote({
    server: values.server,
    files: sources,
    example: values.example,
    seeds,
    seconds,
    trigger: values.trigger as 'exec' | 'open' | undefined,
    kernel: values.kernel,
    attach,
    verifierSteps: values['verifier-steps'],
  });
  await writeOut(values.json ? `${JSON.stringify(report)}\n` : humanReport(report));
  process.exit(report.ok ? 0 : 1);
}

/** Where this checkout's backend keeps its data; its default when the config file cannot be read. */
function configuredDataDir(): string {
  try {
    return loadConfig().dataDir;
  } catch {
    return loadConfig({ PLAYGROUND_CONFIG: '/nonexistent' }).dataDir;
  }
}

/** Lists the server's kernels: the page's picker, for scripts. */
async function kernelsCommand(server: string, json: boolean): Promise<void> {
  const connection = await PlaygroundConnection.open(server);
  connection.close();
  const kernels = connection.host?.kernels ?? [];
  const lines = json
    ? [JSON.stringify({ kernels })]
    : kernels.map((k) => {
        const works = k.capabilities.filter((c) => c.loads && c.attaches !== false).map((c) => c.section);
        return `${k.name.padEnd(6)} ${k.kind.padEnd(4)} ${k.release}${k.default ? '  (default)' : ''}\n       runs: ${works.join(', ')}`;
      });
  await writeOut(lines.map((l) => `${l}\n`).join(''));
  process.exit(0);
}

main().catch((error) => fail((error as Error).message));
