import { useCallback, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import type { MapSeed, Participant, RoomPush, ServerMessage, SourceFile } from '../../../protocol/messages.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import { usePreference } from '../../common/use-preference.ts';
import { keepRoom, keptRoomsSchema, withoutRoom, type KeptRoom } from './kept-rooms.ts';

/** Who this browser is in a room; the key takes the place back after a reload or a server restart. */
const membershipSchema = z
  .discriminatedUnion('role', [
    z.object({ role: z.literal('instructor'), code: z.string(), key: z.string(), title: z.string() }),
    z.object({ role: z.literal('participant'), code: z.string(), key: z.string(), title: z.string(), participantId: z.string(), name: z.string() }),
  ])
  .nullable();
export type Membership = z.infer<typeof membershipSchema>;

export type ParticipantView = Omit<Extract<ServerMessage, { type: 'participant_view' }>, 'type' | 'appended'>;

/** Lines of a viewed participant's output the instructor's page keeps. */
const VIEW_LINES = 500;
/** A participant's files go to the room at most this often while they type. */
const FILES_DEBOUNCE_MS = 1500;

export interface RoomHandle {
  membership: Membership;
  board: Participant[];
  /** Set when the instructor pushed something this page has not opened yet. */
  pushed: RoomPush | null;
  handRaised: boolean;
  view: ParticipantView | null;
  error: string | null;
  /** Rooms this browser runs, their board closed: each can be opened again, or forgotten. */
  keptRooms: KeptRoom[];
  create(title: string): Promise<void>;
  join(code: string, name: string): Promise<void>;
  /** Leaves the room; an instructor's key is kept among {@link keptRooms}. */
  leave(): void;
  reopen(code: string): void;
  /** Drops a kept instructor key for good: nobody can open that board again. */
  forget(code: string): void;
  raiseHand(raised: boolean): void;
  lowerHand(participantId: string): void;
  push(body: { lesson: string } | { files: SourceFile[]; seeds: MapSeed[] }): Promise<string | null>;
  watch(participantId: string | null): void;
  dismissPush(): void;
}

/**
 * This page's place in a workshop room. A participant reports their lesson,
 * step and files (the server adds Run results and passes itself); an
 * instructor gets the live board, pushes, and one participant's read-only view.
 */
export function useRoom({ client, welcomes }: ClientHandle, progress: { lesson: string | null; step: number; files: SourceFile[] }): RoomHandle {
  const [membership, setMembership] = usePreference<Membership>('room-membership', membershipSchema, null);
  const [keptRooms, setKeptRooms] = usePreference<KeptRoom[]>('room-kept-instructor-keys', keptRoomsSchema, []);
  const [board, setBoard] = useState<Participant[]>([]);
  const [pushed, setPushed] = useState<RoomPush | null>(null);
  const [handRaised, setHandRaised] = useState(false);
  const [view, setView] = useState<ParticipantView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seenPush = useRef<number>(0);

  // Every (re)connection binds the session to the room again: after a server restart the session is new.
  // The membership object changes identity on every save: the effect depends on the fields it sends.
  const memberRole = membership?.role ?? null;
  const memberCode = membership?.code ?? null;
  const memberKey = membership?.key ?? null;
  const memberName = membership?.role === 'participant' ? membership.name : null;
  const memberId = membership?.role === 'participant' ? membership.participantId : null;
  useEffect(() => {
    if (!client || !welcomes || memberCode === null || memberKey === null) return;
    const body =
      memberRole === 'instructor'
        ? ({ type: 'room_instructor', code: memberCode, key: memberKey } as const)
        : memberName !== null && memberId !== null
          ? ({ type: 'room_join', code: memberCode, name: memberName, rejoin: { participantId: memberId, key: memberKey } } as const)
          : null;
    if (!body) return;
    let live = true;
    void client.request(body).then((answer) => {
      if (!live) return;
      if (!answer.ok) {
        setError(answer.error.message);
        // Only a room that is gone or a key it does not know is worthless; a lost connection or a
        // rate limit is tried again with the next connection.
        if (answer.error.code === 'bad_request') setMembership(null);
        return;
      }
      setError(null);
      if (answer.pushed && answer.pushed.at > seenPush.current) setPushed(answer.pushed);
    });
    return () => {
      live = false;
    };
  }, [client, welcomes, memberRole, memberCode, memberKey, memberName, memberId, setMembership]);

  useEffect(() => {
    if (!client) return;
    return client.on('room_message', (message) => {
      switch (message.type) {
        case 'room_board':
          setBoard(message.participants);
          return;
        case 'room_pushed':
          setPushed(message.push);
          return;
        case 'room_hand_lowered':
          setHandRaised(false);
          return;
        case 'participant_view':
          setView((current) =>
            message.appended && current?.participantId === message.participantId
              ? { ...message, trace: [...current.trace, ...message.trace].slice(-VIEW_LINES) }
              : { participantId: message.participantId, name: message.name, files: message.files, lastRun: message.lastRun, trace: message.trace },
          );
      }
    });
  }, [client]);

  // A participant's lesson and step go to the board at once; their files after a pause in typing.
  useEffect(() => {
    if (client && memberRole === 'participant' && welcomes) void client.request({ type: 'room_update', lesson: progress.lesson, step: progress.step });
  }, [client, memberRole, welcomes, progress.lesson, progress.step]);
  useEffect(() => {
    if (!client || memberRole !== 'participant' || !welcomes || !progress.files.length) return;
    const timer = setTimeout(() => void client.request({ type: 'room_update', files: progress.files }), FILES_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [client, memberRole, welcomes, progress.files]);

  const create = useCallback(
    async (title: string) => {
      if (!client) return;
      const answer = await client.request({ type: 'room_create', title });
      if (!answer.ok) return setError(answer.error.message);
      if (!answer.key) return setError('The server made the room but sent no instructor key.');
      setError(null);
      setMembership({ role: 'instructor', code: answer.code, key: answer.key, title: answer.title || title });
    },
    [client, setMembership],
  );

  const join = useCallback(
    async (code: string, name: string) => {
      if (!client) return;
      const answer = await client.request({ type: 'room_join', code, name });
      if (!answer.ok) return setError(answer.error.message);
      if (!answer.key || !answer.participantId) return setError('The server let you in but sent no participant key.');
      setError(null);
      setMembership({ role: 'participant', code: answer.code, key: answer.key, title: answer.title, participantId: answer.participantId, name });
      if (answer.pushed) setPushed(answer.pushed);
    },
    [client, setMembership],
  );

  const leave = useCallback(() => {
    void client?.request({ type: 'room_leave' });
    if (membership?.role === 'instructor') setKeptRooms(keepRoom(keptRooms, membership));
    setMembership(null);
    setBoard([]);
    setView(null);
    setPushed(null);
  }, [client, membership, keptRooms, setMembership, setKeptRooms]);

  const reopen = useCallback(
    (code: string) => {
      const kept = keptRooms.find((room) => room.code === code);
      if (!kept) return;
      setKeptRooms(withoutRoom(keptRooms, code));
      setError(null);
      setMembership({ role: 'instructor', ...kept });
    },
    [keptRooms, setKeptRooms, setMembership],
  );

  const forget = useCallback((code: string) => setKeptRooms(withoutRoom(keptRooms, code)), [keptRooms, setKeptRooms]);

  const raiseHand = useCallback(
    (raised: boolean) => {
      setHandRaised(raised);
      void client?.request({ type: 'room_hand', raised });
    },
    [client],
  );
  const lowerHand = useCallback((participantId: string) => void client?.request({ type: 'room_lower_hand', participantId }), [client]);

  const push = useCallback(
    async (body: { lesson: string } | { files: SourceFile[]; seeds: MapSeed[] }) => {
      if (!client) return 'Not connected.';
      const result = await client.request({ type: 'room_push', ...body });
      return result.ok ? null : result.error.message;
    },
    [client],
  );

  const watch = useCallback(
    (participantId: string | null) => {
      if (participantId === null) setView(null);
      void client?.request({ type: 'room_view', participantId });
    },
    [client],
  );

  const dismissPush = useCallback(() => {
    if (pushed) seenPush.current = pushed.at;
    setPushed(null);
  }, [pushed]);

  return { membership, board, pushed, handRaised, view, error, keptRooms, create, join, leave, reopen, forget, raiseHand, lowerHand, push, watch, dismissPush };
}
