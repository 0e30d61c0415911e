import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The backend's SQLite file (shares, rooms), created with its folder when missing. */
export function openDatabase(file: string): Database.Database {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL: readers (opening links, boards) never wait for a writer; the stores may each hold a connection.
  db.pragma('journal_mode = WAL');
  // Two connections to one file: a writer waits briefly for the other rather than failing.
  db.pragma('busy_timeout = 2000');
  return db;
}
