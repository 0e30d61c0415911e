// What a request handler may use of its session. Handlers live in their feature's folder
// (share/, export/, lessons/, rooms/, maps/, run/); the session owns the state they touch.
import type { RunOptions } from '../run/run.ts';
import type { ClientMessage, Json, MapSeed, Reply, SourceFile, TraceLine } from '../../protocol/messages.ts';
import type { Run } from '../run/run.ts';
import type { KernelSide } from '../sandbox/sandbox.ts';
import type { RoomMember } from '../rooms/room-hub.ts';
import type { Spent } from './rate-limit.ts';
import type { SessionDeps } from './session.ts';

export interface SessionContext {
  readonly deps: SessionDeps;
  /** The session as the rooms know it. */
  readonly member: RoomMember;
  /** The current Run, if one was started and not stopped. */
  readonly run: Run | null;
  /** The session's hold on the kernel its last Run chose; null before the first Run. */
  readonly side: KernelSide | null;
  /** Runs, shares, exports, checks and room writes spend this one budget, so a script cannot flood any of them. */
  spendRunBudget(): Spent;
  /** Room messages (progress, files, hands): a page sends a few a second at most. */
  spendRoomBudget(): Spent;
  /** Starts a Run, replacing the previous one: it starts once its reply has gone out. */
  startRun(id: string | number, files: SourceFile[], seeds: MapSeed[], kernel: string | undefined, options?: RunOptions): HandlerResult;
  /** Stops the current Run; false when nothing was running. */
  stopRun(): Promise<boolean>;
  /** Compiles ahead into the cache; answers once done, skipped or refused. */
  prepare(id: string | number, files: SourceFile[], kernel: string | undefined): Promise<Reply>;
  /** Sees the run's trace lines and decoded records before any rate limit (a lesson check); returns the unsubscribe. */
  watchRun(onTrace: (lines: TraceLine[]) => void, onRecords: (values: (Json | null)[]) => void): () => void;
}

/** A reply, and what must happen once it has been sent (a Run's start, a room's board). */
export interface FollowedReply {
  reply: Reply;
  // Not `then`: an object with a then() is a thenable, which an async handler's promise would call.
  after: () => void;
}
export type HandlerResult = Reply | FollowedReply;

/** One request type's handler: its answer, as data. */
export type Handler<T extends ClientMessage['type']> = (
  session: SessionContext,
  message: Extract<ClientMessage, { type: T }>,
) => HandlerResult | Promise<HandlerResult>;
export type HandlerTable = { [T in ClientMessage['type']]?: Handler<T> };
