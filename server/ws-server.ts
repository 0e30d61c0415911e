import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, decodeClientMessage, encodeServerMessage, type ServerMessage } from '../protocol/messages.ts';
import { SessionRegistry, sameSecret } from './session/registry.ts';
import type { Outbox, Session, SessionDeps } from './session/session.ts';

export const WS_PATH = '/ws';

/** Close codes a user's own leaving sends: the tab closed (1001) or the client said goodbye (1000). */
const DELIBERATE = new Set([1000, 1001]);

/**
 * Accepts WebSocket clients on /ws of the playground's own HTTP server.
 * Browsers must come from the page's own origin (or one the operator
 * allows), so another site cannot drive a visitor's backend; clients without
 * an Origin header (the CLI) are accepted. When the operator sets an access
 * token, only clients that know it get in. The first message must be a
 * hello, within the handshake time.
 */
export function attachWebSockets(server: Server, deps: SessionDeps): { registry: SessionRegistry; close: () => void } {
  const { limits, allowedOrigins, accessToken } = deps.config;
  // Compression off: a small compressed frame must not inflate into a large one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsMaxPayloadBytes, perMessageDeflate: false });
  const registry = new SessionRegistry(deps, encodeServerMessage);

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return;
    if (!originAllowed(request, allowedOrigins)) {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nThis page's origin may not use this playground.\n");
      return;
    }
    if (accessToken && !sameSecret(url.searchParams.get('token') ?? '', accessToken)) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\n\r\nThis playground needs its access token: open the link your instructor gave you.\n',
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request.socket.remoteAddress ?? ''));
  });

  function accept(ws: WebSocket, client: string): void {
    const outbox: Outbox = {
      send: (text) => {
        if (ws.readyState === ws.OPEN) ws.send(text);
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      close: (reason) => ws.close(4000, reason.slice(0, 120)),
    };
    const sendNow = (message: ServerMessage) => outbox.send(encodeServerMessage(message));
    let session: Session | null = null;
    const handshake = setTimeout(() => ws.close(4001, 'No hello in time.'), limits.handshakeMs);

    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'Binary frames are not part of the protocol.');
      const decoded = decodeClientMessage(data.toString('utf8'));
      if (!decoded.ok) return sendNow({ type: 'reply', id: -1, ok: false, error: { code: 'bad_request', message: decoded.error } });
      const message = decoded.message;
      if (message.type !== 'hello') {
        if (session) return session.handle(message);
        return sendNow({ type: 'reply', id: message.id, ok: false, error: { code: 'bad_request', message: 'Say hello first.' } });
      }
      if (session) return sendNow({ type: 'reply', id: message.id, ok: false, error: { code: 'bad_request', message: 'This connection already said hello.' } });
      if (message.version !== PROTOCOL_VERSION) {
        sendNow({
          type: 'reply',
          id: message.id,
          ok: false,
          error: {
            code: 'protocol_version',
            message: `This server speaks protocol ${PROTOCOL_VERSION}, the client ${message.version}: reload the page or update the CLI.`,
          },
        });
        return ws.close(4002, 'Protocol version mismatch.');
      }
      clearTimeout(handshake);
      const resumed = message.resume ? registry.resume(message.resume.sessionId, message.resume.token, outbox) : null;
      const created = resumed ?? registry.create(outbox, client);
      if (!('id' in created)) {
        sendNow({ type: 'reply', id: message.id, ok: false, error: created });
        return ws.close(4003, 'Too many sessions.');
      }
      session = created;
      sendNow({
        type: 'reply',
        id: message.id,
        ok: true,
        to: 'hello',
        version: PROTOCOL_VERSION,
        sessionId: session.id,
        resumeToken: session.resumeToken,
        resumed: resumed !== null,
        expiresAt: session.expiresAt,
        host: deps.host,
        limits: { sourceBytes: limits.sourceBytes, wsMaxPayloadBytes: limits.wsMaxPayloadBytes },
      });
      if (resumed) session.replay();
    });
    ws.on('close', (code) => {
      clearTimeout(handshake);
      if (!session) return;
      if (DELIBERATE.has(code)) session.close();
      else registry.dropped(session, outbox);
    });
    ws.on('error', () => ws.terminate());
  }

  return {
    registry,
    close: () => {
      registry.closeAll('The playground is shutting down.');
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
