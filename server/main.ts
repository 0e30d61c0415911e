import next from 'next';
import { loadConfig, ROOT } from './config.ts';
import { startBackend } from './backend.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const web = next({ dev: false, dir: ROOT, hostname: config.host, port: config.port });
  await web.prepare();
  const handle = web.getRequestHandler();
  const backend = await startBackend(
    config,
    (req, res) => void handle(req, res),
    (line) => console.log(`ebpf-playground: ${line}`),
  );
  for (const problem of backend.host.problems) console.error(`eBPF Playground: ${problem}`);

  const shutdown = () => {
    backend.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const page = new URL(backend.url.replace('0.0.0.0', 'localhost'));
  if (backend.accessToken) page.searchParams.set('token', backend.accessToken);
  console.log(`eBPF Playground on ${page.href}`);
}

main().catch((error) => {
  console.error(`eBPF Playground could not start: ${(error as Error).message}`);
  process.exit(1);
});
