import next from 'next';
import { loadConfig, ROOT } from './config.ts';
import { startBackend } from './backend.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const web = next({ dev: false, dir: ROOT, hostname: config.host, port: config.port });
  await web.prepare();
  const handle = web.getRequestHandler();
  const backend = await startBackend(config, (req, res) => void handle(req, res), (line) => console.log(`ebpf-playground: ${line}`));
  for (const problem of backend.host.problems) console.error(`eBPF Playground: ${problem}`);

  const shutdown = () => {
    backend.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  console.log(`eBPF Playground on ${backend.url.replace('0.0.0.0', 'localhost')}`);
}

main().catch((error) => {
  console.error(`eBPF Playground could not start: ${(error as Error).message}`);
  process.exit(1);
});
