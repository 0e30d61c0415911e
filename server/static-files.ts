import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/**
 * Serves files under `dir` at `prefix` (Monaco's own AMD build, so the editor
 * never comes from a CDN). Returns false when the request is not for it.
 */
export function serveStatic(prefix: string, dir: string, req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith(prefix)) return false;
  const file = path.resolve(dir, `.${decodeURIComponent(url.pathname.slice(prefix.length - 1))}`);
  const type = TYPES[path.extname(file)];
  let size = -1;
  try {
    if (file.startsWith(dir + path.sep) && type) size = statSync(file).isFile() ? statSync(file).size : -1;
  } catch {
    size = -1;
  }
  if (size < 0) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return true;
  }
  res.writeHead(200, { 'content-type': type!, 'content-length': size, 'cache-control': 'public, max-age=86400' });
  createReadStream(file).pipe(res);
  return true;
}
