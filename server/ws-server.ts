import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientMessage, encodeServerMessage } from '../protocol/messages.ts';
import { Session, type SessionDeps } from './session/session.ts';

export const WS_PATH = '/ws';

/**
 * Accepts WebSocket clients on /ws of the playground's own HTTP server.
 * Browsers must come from the page's own origin (or one the operator
 * allows), so another site cannot drive a visitor's backend. Clients without
 * an Origin header (the CLI) are accepted.
 */
export function attachWebSockets(server: Server, deps: SessionDeps): { sessions: Set<Session>; close: () => void } {
  const { limits, allowedOrigins } = deps.config;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsMaxPayloadBytes, perMessageDeflate: false });
  const sessions = new Set<Session>();

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return; // Next's own upgrades (none in production) pass by.
    if (!originAllowed(request, allowedOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    const session = new Session(
      deps,
      {
        send: (text) => {
          if (ws.readyState === ws.OPEN) ws.send(text);
        },
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
      },
      encodeServerMessage,
    );
    sessions.add(session);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'Binary frames are not part of the protocol.');
      const decoded = decodeClientMessage(data.toString('utf8'));
      if (!decoded.ok) {
        ws.send(encodeServerMessage({ type: 'reply', id: -1, ok: false, error: { code: 'bad_request', message: decoded.error } }));
        return;
      }
      session.handle(decoded.message);
    });
    ws.on('close', () => {
      session.close();
      sessions.delete(session);
    });
    ws.on('error', () => ws.terminate());
  }

  return {
    sessions,
    close: () => {
      for (const session of sessions) session.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function originAllowed(request: IncomingMessage, allowed: string[]): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
