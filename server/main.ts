import { createServer } from 'node:http';
import path from 'node:path';
import next from 'next';
import { findToolchain, type Toolchain } from './compile/toolchain.ts';
import { loadConfig, ROOT } from './config.ts';
import { prepareHost } from './host/host.ts';
import { serveStatic } from './static-files.ts';
import { TraceInstance } from './trace/trace-instance.ts';
import { attachWebSockets, WS_PATH } from './ws-server.ts';

const MONACO_DIR = path.join(ROOT, 'node_modules', 'monaco-editor', 'min', 'vs');

async function main(): Promise<void> {
  const config = loadConfig();
  const host = prepareHost();
  for (const problem of host.problems) console.error(`eBPF Playground: ${problem}`);

  // Without a usable host the page still comes up, and says what is missing.
  let toolchain: Toolchain | null = null;
  let trace: TraceInstance | null = null;
  if (!host.problems.length) {
    try {
      toolchain = await findToolchain(config.cacheDir);
      trace = new TraceInstance(config.limits.traceLineBytes);
      trace.open();
    } catch (error) {
      host.problems.push((error as Error).message);
      console.error(`eBPF Playground: ${(error as Error).message}`);
    }
  }

  const web = next({ dev: false, dir: ROOT, hostname: config.host, port: config.port });
  await web.prepare();
  const handle = web.getRequestHandler();
  const server = createServer((req, res) => {
    if (serveStatic('/monaco/vs/', MONACO_DIR, req, res)) return;
    void handle(req, res);
  });
  const sockets = attachWebSockets(server, { config, toolchain, host, trace });

  const shutdown = () => {
    sockets.close();
    trace?.close();
    server.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  server.listen(config.port, config.host, () => {
    console.log(`eBPF Playground on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (WebSocket ${WS_PATH})`);
  });
}

main().catch((error) => {
  console.error(`eBPF Playground could not start: ${(error as Error).message}`);
  process.exit(1);
});
