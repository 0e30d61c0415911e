import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openDatabase } from '../store/database.ts';
import { mapSeedSchema, sourceFileSchema, type MapSeed, type SourceFile } from '../../protocol/messages.ts';

export interface Shared {
  files: SourceFile[];
  seeds: MapSeed[];
  createdAt: number;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const ID_LENGTH = 10;

/**
 * Shared programs, kept in an SQLite file so links outlive restarts. A share
 * is immutable: changing the code and sharing again gives a new id.
 */
export class ShareStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, number, string, string]>;
  private readonly select: Database.Statement<[string], { created_at: number; files: string; seeds: string }>;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS shares (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      files TEXT NOT NULL,
      seeds TEXT NOT NULL
    ) STRICT`);
    this.insert = this.db.prepare('INSERT INTO shares (id, created_at, files, seeds) VALUES (?, ?, ?, ?)');
    this.select = this.db.prepare('SELECT created_at, files, seeds FROM shares WHERE id = ?');
  }

  /** Stores the files and seeds and returns their new id. */
  create(files: SourceFile[], seeds: MapSeed[]): string {
    for (;;) {
      const id = Array.from({ length: ID_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
      try {
        this.insert.run(id, Date.now(), JSON.stringify(files), JSON.stringify(seeds));
        return id;
      } catch (error) {
        // A taken id (one in 10^17): draw another.
        if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
      }
    }
  }

  get(id: string): Shared | null {
    const row = this.select.get(id);
    if (!row) return null;
    return {
      createdAt: row.created_at,
      files: sourceFileSchema.array().parse(JSON.parse(row.files)),
      seeds: mapSeedSchema.array().parse(JSON.parse(row.seeds)),
    };
  }

  close(): void {
    this.db.close();
  }
}
