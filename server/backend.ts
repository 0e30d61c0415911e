import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { HostInfo } from '../protocol/messages.ts';
import { CompileQueue } from './compile/compile-queue.ts';
import { ensureVmlinuxPch } from './compile/compiler.ts';
import { CompileCache } from './compile/compile-cache.ts';
import { ShareStore } from './share/store.ts';
import { RoomStore } from './rooms/room-store.ts';
import { RoomHub } from './rooms/room-hub.ts';
import { bundledLessons } from './lessons/course.ts';
import { findToolchain, type Toolchain } from './compile/toolchain.ts';
import { ROOT, type Config } from './config.ts';
import { resolveAccessToken } from './access-token.ts';
import { prepareHost } from './host/host.ts';
import { probeCapabilities } from './host/capabilities.ts';
import { serveStatic } from './static-files.ts';
import { startKernels, Kernels } from './sandbox/kernels.ts';
import { TraceInstance } from './trace/trace-instance.ts';
import { attachWebSockets } from './ws-server.ts';

const MONACO_DIR = path.join(ROOT, 'node_modules', 'monaco-editor', 'min', 'vs');

export interface Backend {
  server: Server;
  host: HostInfo;
  /** The kernels Runs may choose: the host's and the VM kernels. */
  kernels: Kernels;
  /** http://host:port the backend listens on. */
  url: string;
  /** The token clients must give (?token=…), or null when none is asked for. */
  accessToken: string | null;
  close(): void;
}

type PageHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The playground's backend: host checks, toolchain, the trace instance and
 * the WebSocket API, on one HTTP server. The page handler (Next.js) is
 * optional so the integration tests can start the backend alone.
 */
export async function startBackend(config: Config, pages?: PageHandler, log: (line: string) => void = () => {}): Promise<Backend> {
  const host = prepareHost();
  // Without a usable host the page still comes up, and says what is missing.
  let toolchain: Toolchain | null = null;
  let trace: TraceInstance | null = null;
  let kernels = new Kernels([], []);
  if (!host.problems.length) {
    try {
      toolchain = await findToolchain(config.cacheDir);
      toolchain.vmlinuxPch = await ensureVmlinuxPch(config, toolchain);
      // What loads and attaches here, found by trying (cached per kernel and toolchain).
      host.capabilities = await probeCapabilities(config, toolchain);
      trace = new TraceInstance(config.limits.traceLineBytes);
      trace.open();
      // The host's kernel and the VM kernels: each with its own headers, policy and capabilities.
      kernels = await startKernels(config, { toolchain, trace, capabilities: host.capabilities }, log);
      host.kernels = kernels.list.map((k) => k.info);
      if (!kernels.list.length) host.problems.push(...kernels.problems);
      for (const problem of kernels.problems) log(problem);
    } catch (error) {
      host.problems.push((error as Error).message);
    }
  }

  const server = createServer((req, res) => {
    if (serveStatic('/monaco/vs/', MONACO_DIR, req, res)) return;
    if (pages) return pages(req, res);
    res.writeHead(404).end();
  });
  const compileQueue = new CompileQueue(config.compileSlots ?? availableParallelism());
  // Skeletons and the Inspect tabs wait while compiles want every core.
  const skeletonQueue = new CompileQueue(1, compileQueue);
  // Compiles ahead of Run (while a user types) take a core only when no Run wants one.
  const prepareQueue = new CompileQueue(1, compileQueue);
  const compileCache = new CompileCache(config.limits.compileCacheBytes);
  const database = path.join(config.dataDir, 'playground.db');
  const shares = new ShareStore(database);
  const roomStore = new RoomStore(database);
  const rooms = new RoomHub(roomStore, () => bundledLessons().map((l) => l.lesson.name), config.limits.roomParticipants);
  // From here on, accessToken is the token in force (or null when the operator turned it off).
  config = { ...config, accessToken: resolveAccessToken(config) };
  const sockets = attachWebSockets(server, { config, toolchain, host, kernels, compileQueue, skeletonQueue, prepareQueue, compileCache, shares, rooms });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;

  let closed = false;
  return {
    server,
    host,
    kernels,
    accessToken: config.accessToken || null,
    url: `http://${config.host}:${port}`,
    close() {
      if (closed) return;
      closed = true;
      sockets.close();
      kernels.close();
      shares.close();
      rooms.close();
      roomStore.close();
      trace?.close();
      server.close();
    },
  };
}
