import { timingSafeEqual } from 'node:crypto';
import {
  ROOM_CODE,
  type ClientMessage,
  type Diagnostic,
  type LastRun,
  type Participant,
  type PlaygroundError,
  type Reply,
  type RoomPush,
  type ServerMessage,
  type TraceLine,
} from '../../protocol/messages.ts';
import { accept, refuse } from '../../protocol/replies.ts';
import type { HandlerResult } from '../session/context.ts';
import type { ParticipantRow, RoomStore } from './room-store.ts';
import { problemsOf, type StageOutcome } from './run-problems.ts';

/** A session as the rooms see it: an identity and a way to send it a message. */
export interface RoomMember {
  readonly id: string;
  deliver(message: ServerMessage): void;
}

type Membership = { role: 'instructor'; code: string } | { role: 'participant'; code: string; participantId: string };
export type RoomRequest = Extract<ClientMessage, { type: `room_${string}` }>;

/** Lines of each participant's output kept for an instructor who starts viewing them. */
const VIEW_WINDOW_LINES = 200;
/** Board changes are sent at most this often: a room pressing Run at once is one board per tick. */
const BOARD_TICK_MS = 200;

/**
 * Workshop rooms, live: which session is the instructor or which participant,
 * the instructor's board (sent again, coalesced, on every change), pushes to
 * everyone, and the read-only view of one participant's editor and output.
 * What must outlive a restart goes to the {@link RoomStore}; who is connected
 * and the last lines of output are kept only here.
 */
export class RoomHub {
  private readonly members = new Map<RoomMember, Membership>();
  /** Instructor → the participant whose editor and output they follow. */
  private readonly viewing = new Map<RoomMember, string>();
  private readonly recentLines = new Map<string, TraceLine[]>();
  /** The stored row of each participant being viewed, as last sent: trace batches (every ~10 ms) read it, not the store. */
  private readonly viewedRows = new Map<string, ParticipantRow>();
  private readonly boardTimers = new Map<string, NodeJS.Timeout>();
  /** A participant's Run whose compile or load failed: where, until its run_state says it ended. */
  private readonly failedStages = new Map<RoomMember, { runId: StageOutcome['runId']; problems: Diagnostic[] }>();

  constructor(
    private readonly store: RoomStore,
    /** Names of the bundled lessons, which a push may name. */
    private readonly lessonNames: () => string[],
    /** People one room takes (config `limits.roomParticipants`). */
    private readonly maxParticipants: number,
  ) {}

  /** Answers one room request; what follows the answer (a board, a view) comes with it, to be sent after it. */
  handle(member: RoomMember, message: RoomRequest): HandlerResult {
    const id = message.id;
    const answer = (error: PlaygroundError) => refuse(id, error);
    const done = (error?: PlaygroundError) => (error ? refuse(id, error) : accept(id, message.type, {}));
    const followed = (reply: Reply, after: () => void) => ({ reply, after });
    switch (message.type) {
      case 'room_create': {
        const room = this.store.createRoom(message.title?.trim() || 'Workshop');
        this.bind(member, { role: 'instructor', code: room.code });
        return followed(accept(id, 'room_create', { role: 'instructor', code: room.code, title: room.title, key: room.instructorKey, pushed: null }), () =>
          this.sendBoard(room.code, member),
        );
      }
      case 'room_instructor': {
        const room = ROOM_CODE.test(message.code) ? this.store.room(message.code) : null;
        if (!room || !sameSecret(room.instructorKey, message.key))
          return answer({ code: 'bad_request', message: 'That room code and instructor key do not match a room.' });
        this.bind(member, { role: 'instructor', code: room.code });
        return followed(
          accept(id, 'room_instructor', { role: 'instructor', code: room.code, title: room.title, key: room.instructorKey, pushed: room.pushed }),
          () => this.sendBoard(room.code, member),
        );
      }
      case 'room_join': {
        const code = message.code.trim().toUpperCase();
        const room = ROOM_CODE.test(code) ? this.store.room(code) : null;
        if (!room) return answer({ code: 'bad_request', message: `There is no room with the code "${message.code}": check it with your instructor.` });
        let participant = message.rejoin ? this.store.participant(code, message.rejoin.participantId) : null;
        if (participant && !sameSecret(participant.key, message.rejoin!.key)) participant = null;
        if (!participant) {
          if (this.store.participants(code).length >= this.maxParticipants)
            return answer({ code: 'too_many_sessions', message: `The room is full (${this.maxParticipants} people).` });
          participant = this.store.addParticipant(code, message.name);
        } else if (participant.name !== message.name) {
          this.store.updateParticipant(code, participant.id, { name: message.name });
        }
        this.bind(member, { role: 'participant', code, participantId: participant.id });
        const joined = participant;
        return followed(
          accept(id, 'room_join', { role: 'participant', code, title: room.title, key: participant.key, participantId: participant.id, pushed: room.pushed }),
          () => {
            this.refreshViewers(code, joined.id);
            this.boardChanged(code);
          },
        );
      }
      case 'room_leave': {
        this.leave(member);
        return done();
      }
      case 'room_update': {
        const me = this.participantOf(member);
        if (!me) return done({ code: 'bad_request', message: 'Join a room first.' });
        this.store.updateParticipant(me.code, me.participantId, { files: message.files, lesson: message.lesson, step: message.step });
        if (message.lesson !== undefined || message.step !== undefined) this.boardChanged(me.code);
        if (message.files) this.refreshViewers(me.code, me.participantId);
        return done();
      }
      case 'room_hand': {
        const me = this.participantOf(member);
        if (!me) return done({ code: 'bad_request', message: 'Join a room first.' });
        this.store.updateParticipant(me.code, me.participantId, { hand: message.raised });
        this.boardChanged(me.code);
        return done();
      }
      case 'room_push': {
        const room = this.instructorOf(member);
        if (!room) return done({ code: 'bad_request', message: 'Only the room’s instructor can push to everyone.' });
        if (!message.lesson === !message.files) return done({ code: 'bad_request', message: 'Push either a lesson or files.' });
        if (message.lesson && !this.lessonNames().includes(message.lesson))
          return done({ code: 'bad_request', message: `There is no lesson named "${message.lesson}".` });
        const push: RoomPush = message.lesson ? { lesson: message.lesson, at: Date.now() } : { files: message.files, seeds: message.seeds, at: Date.now() };
        this.store.setPushed(room, push);
        for (const [other, membership] of this.members) {
          if (membership.role === 'participant' && membership.code === room) other.deliver({ type: 'room_pushed', push });
        }
        return done();
      }
      case 'room_view': {
        const room = this.instructorOf(member);
        if (!room) return done({ code: 'bad_request', message: 'Only the room’s instructor can view participants.' });
        if (message.participantId === null) {
          this.viewing.delete(member);
          return done();
        }
        if (!this.store.participant(room, message.participantId)) return done({ code: 'bad_request', message: 'There is no such participant in this room.' });
        const viewed = message.participantId;
        this.viewing.set(member, viewed);
        return followed(done(), () => this.sendView(member, room, viewed));
      }
      case 'room_lower_hand': {
        const room = this.instructorOf(member);
        if (!room) return done({ code: 'bad_request', message: 'Only the room’s instructor can lower hands.' });
        this.store.updateParticipant(room, message.participantId, { hand: false });
        for (const [other, membership] of this.members) {
          if (membership.role === 'participant' && membership.code === room && membership.participantId === message.participantId)
            other.deliver({ type: 'room_hand_lowered' });
        }
        this.boardChanged(room);
        return done();
      }
    }
  }

  /**
   * A participant's Run moved on: a failed compile or load says where (it
   * comes just before the run's error state); a new state ends up on the
   * board as how their last Run went, with those lines when it failed.
   */
  runMessage(member: RoomMember, message: StageOutcome | Extract<ServerMessage, { type: 'run_state' }>): void {
    const me = this.participantOf(member);
    if (!me) return;
    if (message.type !== 'run_state') {
      const problems = problemsOf(message);
      if (problems.length) this.failedStages.set(member, { runId: message.runId, problems });
      return;
    }
    if (!['running', 'error', 'stopped'].includes(message.state)) return;
    const failed = this.failedStages.get(member);
    this.failedStages.delete(member);
    const problems = message.state === 'error' && failed?.runId === message.runId ? failed.problems : undefined;
    const lastRun: LastRun = { state: message.state, stage: message.stage, message: message.error?.message, ...(problems ? { problems } : {}), at: Date.now() };
    this.store.updateParticipant(me.code, me.participantId, { lastRun });
    this.boardChanged(me.code);
    this.refreshViewers(me.code, me.participantId);
  }

  /** A participant's lesson check passed: the server's verdict, not the page's word. */
  passed(member: RoomMember, lesson: string): void {
    const me = this.participantOf(member);
    if (!me) return;
    const row = this.store.participant(me.code, me.participantId);
    if (!row || row.passed.includes(lesson)) return;
    this.store.updateParticipant(me.code, me.participantId, { passed: [...row.passed, lesson] });
    this.boardChanged(me.code);
  }

  /** Output a participant's page got; an instructor viewing them gets it too. */
  trace(member: RoomMember, lines: TraceLine[]): void {
    const me = this.participantOf(member);
    if (!me) return;
    const key = `${me.code}:${me.participantId}`;
    const kept = [...(this.recentLines.get(key) ?? []), ...lines].slice(-VIEW_WINDOW_LINES);
    this.recentLines.set(key, kept);
    const row = this.viewedRows.get(key);
    if (!row) return;
    for (const [viewer, participantId] of this.viewing) {
      if (participantId !== me.participantId || this.instructorOf(viewer) !== me.code) continue;
      viewer.deliver({
        type: 'participant_view',
        participantId: row.id,
        name: row.name,
        files: row.files,
        lastRun: row.lastRun,
        trace: lines.slice(-VIEW_WINDOW_LINES),
        appended: true,
      });
    }
  }

  /** The session ended: it is no longer connected to its room. */
  leave(member: RoomMember): void {
    const membership = this.members.get(member);
    this.members.delete(member);
    this.viewing.delete(member);
    this.failedStages.delete(member);
    if (membership?.role === 'participant') this.boardChanged(membership.code);
  }

  close(): void {
    for (const timer of this.boardTimers.values()) clearTimeout(timer);
    this.boardTimers.clear();
  }

  private bind(member: RoomMember, membership: Membership): void {
    const before = this.members.get(member);
    this.members.set(member, membership);
    this.viewing.delete(member);
    if (before?.role === 'participant' && before.code !== membership.code) this.boardChanged(before.code);
  }

  private participantOf(member: RoomMember): Extract<Membership, { role: 'participant' }> | null {
    const membership = this.members.get(member);
    return membership?.role === 'participant' ? membership : null;
  }

  private instructorOf(member: RoomMember): string | null {
    const membership = this.members.get(member);
    return membership?.role === 'instructor' ? membership.code : null;
  }

  private boardChanged(code: string): void {
    if (this.boardTimers.has(code)) return;
    const timer = setTimeout(() => {
      this.boardTimers.delete(code);
      for (const [member, membership] of this.members) if (membership.role === 'instructor' && membership.code === code) this.sendBoard(code, member);
    }, BOARD_TICK_MS);
    timer.unref();
    this.boardTimers.set(code, timer);
  }

  private sendBoard(code: string, to: RoomMember): void {
    const connected = new Set<string>();
    for (const membership of this.members.values()) if (membership.role === 'participant' && membership.code === code) connected.add(membership.participantId);
    const participants: Participant[] = this.store.participants(code).map((row) => boardRow(row, connected.has(row.id)));
    to.deliver({ type: 'room_board', code, participants });
  }

  private refreshViewers(code: string, participantId: string): void {
    for (const [viewer, viewed] of this.viewing) if (viewed === participantId && this.instructorOf(viewer) === code) this.sendView(viewer, code, participantId);
  }

  private sendView(to: RoomMember, code: string, participantId: string): void {
    const row = this.store.participant(code, participantId);
    if (!row) return;
    this.viewedRows.set(`${code}:${participantId}`, row);
    const trace = this.recentLines.get(`${code}:${participantId}`) ?? [];
    to.deliver({ type: 'participant_view', participantId, name: row.name, files: row.files, lastRun: row.lastRun, trace, appended: false });
  }
}

function boardRow(row: ParticipantRow, connected: boolean): Participant {
  return {
    id: row.id,
    name: row.name,
    connected,
    lesson: row.lesson,
    step: row.step,
    passed: row.passed,
    lastRun: row.lastRun,
    hand: row.hand,
    joinedAt: row.joinedAt,
  };
}

/** Compares secrets in constant time. */
function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
