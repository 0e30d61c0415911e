import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../server/config.ts';
import { type Cleanup, TRACEFS, exited, killChild, onLines, removeInstance } from './util.ts';

export interface BackendProcess {
  url: string;
  pid: number;
  /** The backend's own tracefs instances (its trace reader's buffers). */
  instanceDirs: string[];
  /** The backend's effective config.limits, after the benchmark's overrides. */
  limits: Record<string, unknown>;
  stop(): Promise<void>;
}

type Hello = { url: string; pid: number; limits: Record<string, unknown>; unknownLimits: string[]; instances: string[] };

/** Starts the real backend (WebSocket API, no Next.js pages) in a child process, with some of config.limits overridden. */
export async function startBackendProcess(cleanup: Cleanup, limits: Record<string, number> = {}): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'backend-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_LIMITS: JSON.stringify(limits) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Known once the backend says hello; until then, whatever carries its pid.
  let instanceDirs: string[] = [];
  const ownInstances = () => (instanceDirs.length ? instanceDirs : instancesOf(child.pid!));
  const stop = cleanup.add('backend process', async () => {
    child.stdin!.end();
    child.kill('SIGTERM');
    if (!(await exited(child, 5000))) {
      await killChild(child, 'SIGKILL');
      // A killed backend cannot stop its trace reader: end that one cat, found by its exact command line.
      for (const pid of ownInstances().flatMap(readersOf)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    // A backend killed before it could close leaves its instances behind.
    for (const dir of ownInstances()) if (existsSync(dir)) await removeInstance(dir);
  });
  try {
    const hello = await new Promise<Hello>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the backend did not start within 120 s.')), 120_000);
      onLines(child.stdout!, (line) => {
        try {
          const parsed = JSON.parse(line) as Hello;
          clearTimeout(timer);
          resolve(parsed);
        } catch {
          // Not the hello line.
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the backend exited before it was ready (${signal ?? `code ${code}`}); its error is above.`));
      });
    });
    if (hello.unknownLimits.length) throw new Error(`config.limits has no ${hello.unknownLimits.join(', ')}: update the benchmark's overrides.`);
    instanceDirs = hello.instances.map((name) => path.join(TRACEFS, 'instances', name));
    if (!instanceDirs.length) throw new Error(`the backend (pid ${hello.pid}) made no tracefs instance named ebpf_playground_${hello.pid}…`);
    return { url: hello.url, pid: hello.pid, instanceDirs, limits: hello.limits, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Pids of `cat <instanceDir>/trace_pipe` processes (the backend's reader of that one instance). */
function readersOf(instanceDir: string): number[] {
  const wanted = `cat\0${path.join(instanceDir, 'trace_pipe')}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1') === wanted) pids.push(Number(entry));
    } catch {
      // The process exited meanwhile.
    }
  }
  return pids;
}

/** Instance dirs named for a backend pid. */
function instancesOf(pid: number): string[] {
  try {
    return readdirSync(path.join(TRACEFS, 'instances'))
      .filter((name) => name === `ebpf_playground_${pid}` || name.startsWith(`ebpf_playground_${pid}_`))
      .map((name) => path.join(TRACEFS, 'instances', name));
  } catch {
    return [];
  }
}
