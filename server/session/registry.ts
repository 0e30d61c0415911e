import { timingSafeEqual } from 'node:crypto';
import type { PlaygroundError, ServerMessage } from '../../protocol/messages.ts';
import { describeDuration } from '../text.ts';
import { Session, type Outbox, type SessionDeps } from './session.ts';

/**
 * Every live session, by id. A session whose connection dropped waits out the
 * grace period for its client to come back; one that reaches its lifetime is
 * closed with a message. Sessions on the host are capped.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly timers = new Map<Session, { grace?: NodeJS.Timeout; lifetime: NodeJS.Timeout }>();
  /** Each session's client address, for the cap per address. */
  private readonly clients = new Map<Session, string>();

  constructor(
    private readonly deps: SessionDeps,
    private readonly encode: (message: ServerMessage) => string,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A new session, or an error when the host, or this client's share of it, is full. */
  create(outbox: Outbox, client = ''): Session | PlaygroundError {
    const { limits } = this.deps.config;
    if (this.sessions.size >= limits.maxSessions) {
      return { code: 'too_many_sessions', message: `This playground already serves ${limits.maxSessions} sessions, its limit: try again in a few minutes.` };
    }
    const fromClient = [...this.clients.values()].filter((c) => c === client).length;
    if (fromClient >= limits.sessionsPerClient) {
      return {
        code: 'too_many_sessions',
        message: `Your address already has ${limits.sessionsPerClient} sessions open here, its limit: close a tab and try again.`,
      };
    }
    const session = new Session(this.deps, this.encode, (closed) => this.forget(closed));
    const lifetime = setTimeout(
      () =>
        session.close(`This session reached its limit of ${describeDuration(limits.sessionLifetimeMs)}; reload the page for a new one (your code is kept).`),
      limits.sessionLifetimeMs,
    );
    lifetime.unref();
    this.sessions.set(session.id, session);
    this.timers.set(session, { lifetime });
    this.clients.set(session, client);
    session.connect(outbox);
    return session;
  }

  /** The session with that id and token, taken over by a new connection; null if there is none. */
  resume(id: string, token: string, outbox: Outbox): Session | null {
    const session = this.sessions.get(id);
    if (!session || !sameSecret(session.resumeToken, token)) return null;
    const timers = this.timers.get(session);
    if (timers?.grace) clearTimeout(timers.grace);
    if (timers) timers.grace = undefined;
    session.connect(outbox);
    return session;
  }

  /** The connection was lost, not closed by the user: keep the session for the grace period. */
  dropped(session: Session, outbox: Outbox): void {
    session.disconnect(outbox);
    const timers = this.timers.get(session);
    if (!timers || session.connected) return;
    timers.grace = setTimeout(() => session.close(), this.deps.config.limits.sessionGraceMs);
    timers.grace.unref();
  }

  closeAll(reason: string): void {
    for (const session of [...this.sessions.values()]) session.close(reason);
  }

  private forget(session: Session): void {
    const timers = this.timers.get(session);
    if (timers?.grace) clearTimeout(timers.grace);
    if (timers) clearTimeout(timers.lifetime);
    this.timers.delete(session);
    this.clients.delete(session);
    this.sessions.delete(session.id);
  }
}

/** Compares secrets in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
