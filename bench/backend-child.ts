// The backend under benchmark, in its own process as in production (the
// client is another process), started like the integration tests' backend
// (server/integration/harness.ts) on a free loopback port. BENCH_LIMITS
// (JSON) overrides entries of config.limits. Prints one JSON line
// {url, pid, limits, unknownLimits, instances}; closes the backend (programs detached,
// trace instance removed) on SIGTERM, SIGINT or when its stdin closes, so it
// cannot outlive the benchmark.
import { readdirSync } from 'node:fs';
import { startBackend } from '../server/backend.ts';
import { loadConfig } from '../server/config.ts';

const config = loadConfig({});
config.host = '127.0.0.1';
config.port = 0;
// The host's kernel, no token: the VM benchmarks start their own (a boot costs a core for seconds).
config.sandbox = 'host';
config.accessToken = false;
// Every benchmark client comes from 127.0.0.1 (the workshop opens 50, the scaling law 100).
config.limits.sessionsPerClient = 1000;
const overrides = JSON.parse(process.env.BENCH_LIMITS || '{}') as Record<string, number>;
const limits = config.limits as unknown as Record<string, unknown>;
const unknownLimits = Object.keys(overrides).filter((key) => !(key in limits));
for (const [key, value] of Object.entries(overrides)) if (key in limits) limits[key] = value;

const backend = await startBackend(config);
if (backend.host.problems.length) {
  backend.close();
  process.stderr.write(`this host cannot run the benchmark: ${backend.host.problems.join(' ')}\n`);
  process.exit(1);
}
let closing = false;
function shutdown(): void {
  if (closing) return;
  closing = true;
  try {
    backend.close();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
// The backend's own tracefs instances, named for its pid (ebpf_playground_<pid> or ebpf_playground_<pid>_<n>).
const instances = readdirSync('/sys/kernel/tracing/instances').filter(
  (name) => name === `ebpf_playground_${process.pid}` || name.startsWith(`ebpf_playground_${process.pid}_`),
);
process.stdout.write(`${JSON.stringify({ url: backend.url, pid: process.pid, limits: config.limits, unknownLimits, instances })}\n`);
