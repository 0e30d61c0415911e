'use client';

import { useEffect, useRef, useState } from 'react';
import type { Course, Participant } from '../../../protocol/messages.ts';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import type { RoomHandle } from './use-room.ts';
import { formatClock } from '../../common/format.ts';
import { roomLink } from '../share/share-link.ts';
import { HandIcon } from './HandIcon.tsx';
import { ReadOnlyCode } from '../editor/ReadOnlyCode.tsx';
import { fileOfDiagnostic } from '../editor/CodeEditor.tsx';
import { Button } from '../../common/Button.tsx';
import type { KeptRoom } from './kept-rooms.ts';
import { ProjectorView } from './ProjectorView.tsx';
import { coursePasses, lessonNamed } from '../lessons/courses.ts';
import styles from './rooms.module.css';
import ui from '../../common/ui.module.css';

interface RoomPaneProps {
  room: RoomHandle;
  /** The bundled courses: a lesson to push is picked from them. */
  courses: Course[];
  /** A code from the page's address (`?room=CODE`), filled in for the join form. */
  suggestedCode: string | null;
  scheme: ColorScheme;
  /** Instructor: push the editor's files and seeds to everyone. */
  onPushEditor(): Promise<string | null>;
}

/**
 * A workshop room. Outside one: join with a code, or start one. A participant
 * sees the room and can raise a hand; the instructor sees the live board,
 * pushes a lesson or their code, and follows one participant read-only.
 */
export function RoomPane({ room, courses, suggestedCode, scheme, onPushEditor }: RoomPaneProps) {
  const { membership } = room;
  if (!membership) return <JoinOrCreate room={room} suggestedCode={suggestedCode} />;
  if (membership.role === 'participant') {
    return (
      <div className={styles.roomPane} data-testid="room-participant">
        <div className={ui.paneToolbar}>
          <span>
            Room <strong className={styles.roomCode}>{membership.code}</strong> {membership.title && `· ${membership.title}`} · you are {membership.name}
          </span>
          <span className={ui.spacer} />
          <Button compact suggested={room.handRaised} onClick={() => room.raiseHand(!room.handRaised)} aria-pressed={room.handRaised}>
            {room.handRaised ? (
              'Lower hand'
            ) : (
              <>
                <HandIcon /> Raise hand
              </>
            )}
          </Button>
          <button type="button" className={ui.linkButton} onClick={room.leave}>
            Leave
          </button>
        </div>
        <div className={styles.roomBody}>
          <RoomError error={room.error} />
          <p>
            Your instructor sees your lesson step, whether your checks pass, how your last Run went, and can look at your code and output (read-only).
            {room.handRaised && ' Your hand is up: the instructor sees it on the board.'}
          </p>
        </div>
      </div>
    );
  }
  return <InstructorBoard room={room} courses={courses} scheme={scheme} onPushEditor={onPushEditor} />;
}

function JoinOrCreate({ room, suggestedCode }: { room: RoomHandle; suggestedCode: string | null }) {
  const [code, setCode] = useState(suggestedCode ?? '');
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  return (
    <div className={`${styles.roomPane} ${styles.roomBody}`} data-testid="room-join">
      {room.keptRooms.length > 0 && <KeptRooms rooms={room.keptRooms} onOpen={room.reopen} onForget={room.forget} />}
      <form
        className={styles.roomForm}
        onSubmit={(event) => {
          event.preventDefault();
          void room.join(code, name.trim());
        }}
      >
        <h2 className={styles.heading}>Join a workshop room</h2>
        <label>
          Room code
          <input
            className={`${styles.filterInput} ${ui.filterInput}`}
            value={code}
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            placeholder="K7PQ2M"
            maxLength={6}
            required
            autoComplete="off"
          />
        </label>
        <label>
          Your name
          <input
            className={`${styles.filterInput} ${ui.filterInput}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Ada"
            maxLength={40}
            required
          />
        </label>
        <Button type="submit" primary disabled={code.length !== 6 || !name.trim()}>
          Join
        </Button>
        <p className={styles.hint}>No account needed. The instructor will see your name, your lesson progress and your code.</p>
      </form>
      <form
        className={styles.roomForm}
        onSubmit={(event) => {
          event.preventDefault();
          void room.create(title.trim());
        }}
      >
        <h2 className={styles.heading}>Run a workshop</h2>
        <label>
          Title
          <input
            className={`${styles.filterInput} ${ui.filterInput}`}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder="Friday eBPF workshop"
            maxLength={80}
          />
        </label>
        <Button type="submit">Start a room</Button>
        <p className={styles.hint}>You get a code for the room; this browser keeps the instructor’s key.</p>
      </form>
      <RoomError error={room.error} />
    </div>
  );
}

function RoomError({ error }: { error: string | null }) {
  return error ? (
    <p className={ui.formError} role="alert">
      {error}
    </p>
  ) : null;
}

/** The rooms whose board this browser closed: open one again, or forget its key (asked first: that cannot be undone). */
function KeptRooms({ rooms, onOpen, onForget }: { rooms: KeptRoom[]; onOpen(code: string): void; onForget(code: string): void }) {
  const [forgetting, setForgetting] = useState<string | null>(null);
  return (
    <section className={styles.keptRooms} aria-labelledby="kept-rooms-heading">
      <h2 className={styles.heading} id="kept-rooms-heading">
        Rooms you run
      </h2>
      <ul className={styles.keptRoomList}>
        {rooms.map((kept) => (
          <li key={kept.code}>
            <span className={styles.keptRoomName}>
              <strong className={styles.roomCode}>{kept.code}</strong> · {kept.title}
            </span>
            <Button compact primary onClick={() => onOpen(kept.code)} aria-label={`Open the board of ${kept.code}`}>
              Open the board
            </Button>
            <button type="button" className={`${ui.linkButton} ${ui.danger}`} onClick={() => setForgetting(kept.code)} aria-label={`Forget ${kept.code}`}>
              Forget…
            </button>
            {forgetting === kept.code && (
              <ForgetConfirm
                room={kept}
                onForget={() => {
                  setForgetting(null);
                  onForget(kept.code);
                }}
                onKeep={() => setForgetting(null)}
              />
            )}
          </li>
        ))}
      </ul>
      <p className={styles.hint}>The board is closed; the room goes on, and this browser keeps its instructor key.</p>
    </section>
  );
}

function ForgetConfirm({ room, onForget, onKeep }: { room: KeptRoom; onForget(): void; onKeep(): void }) {
  const keep = useRef<HTMLButtonElement>(null);
  // The safe answer has the focus: Enter or Esc keeps the key.
  useEffect(() => keep.current?.focus(), []);
  return (
    <div
      className={styles.confirm}
      role="alertdialog"
      aria-label={`Forget room ${room.code}?`}
      aria-describedby={`forget-${room.code}`}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        event.stopPropagation();
        onKeep();
      }}
    >
      <p id={`forget-${room.code}`}>
        This browser forgets the instructor key of <strong className={styles.roomCode}>{room.code}</strong>: nobody can open its board again. The room and its
        participants’ work stay on the server.
      </p>
      <Button compact onClick={onForget}>
        Forget the key
      </Button>
      <Button compact ref={keep} onClick={onKeep}>
        Keep it
      </Button>
    </div>
  );
}

function InstructorBoard({
  room,
  courses,
  scheme,
  onPushEditor,
}: {
  room: RoomHandle;
  courses: Course[];
  scheme: ColorScheme;
  onPushEditor(): Promise<string | null>;
}) {
  const membership = room.membership!;
  const [lesson, setLesson] = useState(courses[0]?.lessons[0]?.name ?? '');
  const [notice, setNotice] = useState<string | null>(null);
  const link = roomLink(window.location.origin, membership.code);
  const hands = room.board.filter((p) => p.hand).length;
  const lessonTitle = (name: string | null) => lessonNamed(courses, name)?.title ?? name ?? '—';
  const say = (problem: string | null, done: string) => setNotice(problem ?? done);
  const viewed = room.view;
  const [projecting, setProjecting] = useState(false);
  // Where the viewed participant's last Run failed: listed, and marked in their files.
  const problems = viewed?.lastRun?.state === 'error' ? (viewed.lastRun.problems ?? []) : [];
  const fileNames = viewed?.files.map((file) => file.name) ?? [];

  return (
    <div className={styles.roomPane} data-testid="room-board">
      <div className={`${ui.paneToolbar} ${styles.boardBar}`}>
        <span>
          Room{' '}
          <strong className={styles.roomCode} data-testid="room-code">
            {membership.code}
          </strong>{' '}
          · {membership.title}
        </span>
        <button
          type="button"
          className={ui.linkButton}
          onClick={() => void navigator.clipboard?.writeText(link).then(() => setNotice(`Copied ${link}`))}
          title={link}
        >
          Copy join link
        </button>
        <button type="button" className={ui.linkButton} onClick={() => setProjecting(true)} title="The code and the link, large, for a projector">
          Projector view
        </button>
        <span className={ui.spacer} />
        <span>
          {room.board.filter((p) => p.connected).length} of {room.board.length} connected
          {hands > 0 && (
            <>
              {' · '}
              <HandIcon /> {hands} raised
            </>
          )}
        </span>
        <button
          type="button"
          className={ui.linkButton}
          onClick={room.leave}
          title="Close the board (the room goes on; this browser keeps its key to open the board again)"
        >
          Close room view
        </button>
      </div>
      {projecting && (
        <ProjectorView code={membership.code} title={membership.title} link={link} joined={room.board.length} onClose={() => setProjecting(false)} />
      )}
      <div className={styles.roomBody}>
        <RoomError error={room.error} />
        <div className={styles.roomPush}>
          <Button compact onClick={() => void onPushEditor().then((p) => say(p, 'Your code was sent to everyone.'))}>
            Push my code to everyone
          </Button>
          <select className={styles.roomSelect} value={lesson} onChange={(e) => setLesson(e.target.value)} aria-label="Lesson to push">
            {courses.map((course) => (
              <optgroup key={course.name} label={course.title}>
                {course.lessons.map((l) => (
                  <option key={l.name} value={l.name}>
                    {l.title}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <Button compact disabled={!lesson} onClick={() => void room.push({ lesson }).then((p) => say(p, `“${lessonTitle(lesson)}” was sent to everyone.`))}>
            Push lesson
          </Button>
          {notice && <span className={styles.hint}>{notice}</span>}
        </div>
        {room.board.length === 0 ? (
          <p className={styles.hint}>
            Nobody has joined yet. Participants open <code>{link}</code>, or press Room and type the code <strong>{membership.code}</strong>.
          </p>
        ) : (
          <table className={styles.roomTable}>
            <thead>
              <tr>
                <th>Name</th>
                <th className={styles.wideOnly}>Lesson</th>
                <th>Passed</th>
                <th className={styles.wideOnly}>Last Run</th>
                <th>Hand</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {room.board.map((p) => (
                <BoardRow
                  key={p.id}
                  participant={p}
                  lessonTitle={lessonTitle}
                  viewing={viewed?.participantId === p.id}
                  room={room}
                  passes={coursePasses(courses, p.lesson, p.passed)}
                />
              ))}
            </tbody>
          </table>
        )}
        {viewed && (
          <section className={styles.roomView} aria-label={`${viewed.name}'s code and output`} data-testid="participant-view">
            <div className={ui.paneToolbar}>
              <strong>{viewed.name}</strong>
              <span className={`${styles.hint} ${styles.viewSummary}`}>read-only{viewed.lastRun ? ` · last Run ${describeRun(viewed.lastRun)}` : ''}</span>
              <span className={ui.spacer} />
              <button type="button" className={ui.linkButton} onClick={() => room.watch(null)}>
                Close
              </button>
            </div>
            {problems.length > 0 && (
              <ul className={styles.roomViewProblems} data-testid="participant-problems" aria-label={`Where ${viewed.name}'s last Run failed`}>
                {problems.map((problem) => (
                  <li key={`${problem.file}:${problem.line}:${problem.column}:${problem.message}`}>
                    <span className={styles.problemPlace}>
                      {problem.file}:{problem.line}
                    </span>{' '}
                    {problem.message}
                  </li>
                ))}
              </ul>
            )}
            {viewed.files.length ? (
              viewed.files.map((file) => (
                <div key={file.name} className={styles.roomViewFile}>
                  <div className={styles.hint}>{file.name}</div>
                  <div className={styles.roomViewCode}>
                    <ReadOnlyCode
                      text={file.content}
                      language="c"
                      scheme={scheme}
                      label={`${viewed.name}: ${file.name}`}
                      testId="participant-code"
                      errors={problems.filter((problem) => fileOfDiagnostic(problem, fileNames) === file.name)}
                    />
                  </div>
                </div>
              ))
            ) : (
              <p className={styles.hint}>No code from {viewed.name} yet: it arrives a moment after they type.</p>
            )}
            <pre className={styles.roomViewOutput} data-testid="participant-output">
              {viewed.trace.length ? viewed.trace.map((l) => `${l.ts.toFixed(6)} ${l.comm}[${l.pid}] ${l.text}`).join('\n') : 'No output yet.'}
            </pre>
          </section>
        )}
      </div>
    </div>
  );
}

function BoardRow({
  participant: p,
  lessonTitle,
  viewing,
  room,
  passes,
}: {
  participant: Participant;
  lessonTitle(name: string | null): string;
  viewing: boolean;
  room: RoomHandle;
  /** Their passes in the course of the lesson they have open (every course's when none is). */
  passes: ReturnType<typeof coursePasses>;
}) {
  return (
    <tr data-testid="board-row" className={p.hand ? styles.handUp : undefined}>
      <td>
        <span className={styles.name}>
          <span
            className={p.connected ? `${styles.dot} ${styles.online}` : `${styles.dot} ${styles.offline}`}
            role="img"
            aria-label={p.connected ? 'connected' : 'not connected'}
          />{' '}
          {p.name}
        </span>
        {/* In a narrow pane the lesson and the last Run go under the name, not in columns of their own. */}
        <div className={styles.underName}>{p.lesson ? `${lessonTitle(p.lesson)} · step ${p.step + 1}` : 'No lesson open'}</div>
        <div className={styles.underName}>{p.lastRun ? `Last Run ${describeRun(p.lastRun)}` : 'No Run yet'}</div>
      </td>
      <td className={styles.wideOnly}>
        {lessonTitle(p.lesson)}
        {p.lesson && <span className={styles.hint}> · step {p.step + 1}</span>}
      </td>
      <td
        data-testid="board-passed"
        title={`${passes.passed} of the ${passes.total} lessons ${passes.course ? `of “${passes.course.title}”` : 'of every course'} passed; ${p.passed.length} in all`}
      >
        {passes.passed ? `✓ ${passes.passed} of ${passes.total}` : '—'}
        {p.lesson && p.passed.includes(p.lesson) && <span className={styles.passMark}> this one</span>}
      </td>
      <td className={`${styles.wideOnly} ${styles.runCell}`}>{p.lastRun ? describeRun(p.lastRun) : '—'}</td>
      <td data-testid="board-hand">
        {p.hand ? (
          <>
            <HandIcon /> raised ·{' '}
            <button type="button" className={ui.linkButton} onClick={() => room.lowerHand(p.id)}>
              lower
            </button>
          </>
        ) : (
          ''
        )}
      </td>
      <td>
        <button type="button" className={ui.linkButton} onClick={() => room.watch(viewing ? null : p.id)} aria-pressed={viewing}>
          {viewing ? 'Viewing' : 'View'}
        </button>
      </td>
    </tr>
  );
}

function describeRun(run: NonNullable<Participant['lastRun']>): string {
  const when = formatClock(run.at / 1000).slice(0, 8);
  if (run.state === 'error') return `failed at ${run.stage} (${when})${run.message ? `: ${run.message}` : ''}`;
  return `${run.state} (${when})`;
}
