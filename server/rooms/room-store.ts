import { randomBytes, randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { lastRunSchema, roomPushSchema, sourceFileSchema, type LastRun, type RoomPush, type SourceFile } from '../../protocol/messages.ts';
import { openDatabase } from '../store/database.ts';

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export interface RoomRow {
  code: string;
  title: string;
  instructorKey: string;
  createdAt: number;
  pushed: RoomPush | null;
}

/** A participant as stored: everything but whether they are connected now. */
export interface ParticipantRow {
  id: string;
  key: string;
  name: string;
  joinedAt: number;
  lesson: string | null;
  step: number;
  passed: string[];
  lastRun: LastRun | null;
  hand: boolean;
  files: SourceFile[];
}

interface ParticipantRecord {
  id: string;
  key: string;
  name: string;
  joined_at: number;
  lesson: string | null;
  step: number;
  passed: string;
  last_run: string | null;
  hand: number;
  files: string;
}

/**
 * Workshop rooms and their participants, in the backend's SQLite file: a
 * restart keeps the board (who joined, their step, passes, hands, last run,
 * their files) and what the instructor pushed. Keys are secrets that let a
 * reloaded tab take its place back; codes are for people to type.
 */
export class RoomStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rooms (
        code TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        instructor_key TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        pushed TEXT
      ) STRICT;
      CREATE TABLE IF NOT EXISTS participants (
        room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        id TEXT NOT NULL,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        lesson TEXT,
        step INTEGER NOT NULL DEFAULT 0,
        passed TEXT NOT NULL DEFAULT '[]',
        last_run TEXT,
        hand INTEGER NOT NULL DEFAULT 0,
        files TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (room, id)
      ) STRICT;
    `);
  }

  createRoom(title: string): RoomRow {
    const room: RoomRow = { code: '', title, instructorKey: secret(), createdAt: Date.now(), pushed: null };
    const insert = this.db.prepare('INSERT INTO rooms (code, title, instructor_key, created_at) VALUES (?, ?, ?, ?)');
    for (;;) {
      room.code = Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
      try {
        insert.run(room.code, room.title, room.instructorKey, room.createdAt);
        return room;
      } catch (error) {
        // A code in use (one in 900 million per room): draw another.
        if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
      }
    }
  }

  room(code: string): RoomRow | null {
    const row = this.db.prepare('SELECT code, title, instructor_key, created_at, pushed FROM rooms WHERE code = ?').get(code) as
      | { code: string; title: string; instructor_key: string; created_at: number; pushed: string | null }
      | undefined;
    if (!row) return null;
    return {
      code: row.code,
      title: row.title,
      instructorKey: row.instructor_key,
      createdAt: row.created_at,
      pushed: row.pushed ? roomPushSchema.parse(JSON.parse(row.pushed)) : null,
    };
  }

  setPushed(code: string, push: RoomPush): void {
    this.db.prepare('UPDATE rooms SET pushed = ? WHERE code = ?').run(JSON.stringify(push), code);
  }

  addParticipant(code: string, name: string): ParticipantRow {
    const row: ParticipantRow = {
      id: randomBytes(6).toString('hex'),
      key: secret(),
      name,
      joinedAt: Date.now(),
      lesson: null,
      step: 0,
      passed: [],
      lastRun: null,
      hand: false,
      files: [],
    };
    this.db.prepare('INSERT INTO participants (room, id, key, name, joined_at) VALUES (?, ?, ?, ?, ?)').run(code, row.id, row.key, row.name, row.joinedAt);
    return row;
  }

  participants(code: string): ParticipantRow[] {
    const rows = this.db.prepare('SELECT * FROM participants WHERE room = ? ORDER BY joined_at').all(code) as ParticipantRecord[];
    return rows.map(toParticipant);
  }

  participant(code: string, id: string): ParticipantRow | null {
    const row = this.db.prepare('SELECT * FROM participants WHERE room = ? AND id = ?').get(code, id) as ParticipantRecord | undefined;
    return row ? toParticipant(row) : null;
  }

  /** Writes the changed fields of one participant. */
  updateParticipant(code: string, id: string, change: Partial<Omit<ParticipantRow, 'id' | 'key' | 'joinedAt'>>): void {
    const columns: Record<string, unknown> = {};
    if (change.name !== undefined) columns.name = change.name;
    if (change.lesson !== undefined) columns.lesson = change.lesson;
    if (change.step !== undefined) columns.step = change.step;
    if (change.passed !== undefined) columns.passed = JSON.stringify(change.passed);
    if (change.lastRun !== undefined) columns.last_run = change.lastRun ? JSON.stringify(change.lastRun) : null;
    if (change.hand !== undefined) columns.hand = change.hand ? 1 : 0;
    if (change.files !== undefined) columns.files = JSON.stringify(change.files);
    const names = Object.keys(columns);
    if (!names.length) return;
    this.db
      .prepare(`UPDATE participants SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE room = @room AND id = @id`)
      .run({ ...columns, room: code, id });
  }

  close(): void {
    this.db.close();
  }
}

function toParticipant(row: ParticipantRecord): ParticipantRow {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    joinedAt: row.joined_at,
    lesson: row.lesson,
    step: row.step,
    passed: JSON.parse(row.passed) as string[],
    lastRun: row.last_run ? lastRunSchema.parse(JSON.parse(row.last_run)) : null,
    hand: row.hand === 1,
    files: sourceFileSchema.array().parse(JSON.parse(row.files)),
  };
}

function secret(): string {
  return randomBytes(18).toString('base64url');
}
