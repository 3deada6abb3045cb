/**
 * The embedded SQLite store: one synchronous connection per process, and a keyv store adapter over
 * it that reads and writes the same table as `@keyv/sqlite` did (`keyv(key VARCHAR(255) PRIMARY
 * KEY, value TEXT)`, keys `<namespace>:<key>`), so a data file written by an earlier version is
 * read as it is.
 *
 * The driver is Node's built-in `node:sqlite` where the running Node has it unflagged (22.13 and
 * later: https://nodejs.org/api/sqlite.html), else `better-sqlite3` 12 (an optional dependency,
 * built at install time: https://github.com/WiseLibs/better-sqlite3). Both run statements
 * synchronously in the calling thread, so each statement is atomic with respect to everything else
 * in this process; other processes sharing the file are waited for up to the busy timeout.
 *
 * keyv's own adapter does not fit today: `@keyv/sqlite` 4 is built on the deprecated `sqlite3`,
 * and its successor (6, on better-sqlite3) needs keyv 6 and Node 22.18
 * (https://www.npmjs.com/package/@keyv/sqlite).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/** Values a statement accepts as a parameter. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** One open SQLite file. Every method runs synchronously and throws the driver's error on failure. */
export interface SqliteConnection {
  /** Which driver opened it. */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
  /** Runs one statement; resolves to the rows it returns (`[]` for a statement that returns none). */
  query<Row = Record<string, unknown>>(sql: string, ...params: SqlValue[]): Row[];
  /** Runs one statement that returns no rows; returns how many rows it changed. */
  run(sql: string, ...params: SqlValue[]): number;
  /** Closes the file; later calls throw. Safe to call twice. */
  close(): void;
}

/** The part of a prepared statement that both drivers share (`node:sqlite`'s StatementSync, better-sqlite3's Statement). */
interface Statement {
  all(...params: SqlValue[]): unknown[];
  run(...params: SqlValue[]): { changes: number | bigint };
  /** better-sqlite3 only: false for a statement that returns no rows (its `all()` then throws). */
  reader?: boolean;
}
interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  close(): void;
}
type DatabaseClass = new (path: string, options?: Record<string, unknown>) => Database;

/** The constructor of the driver this Node can use. @throws {Error} when neither is available. */
function loadDriver(): { driver: SqliteConnection['driver']; Database: DatabaseClass } {
  // undefined where the running Node has no such built-in (before 22.13 without a flag):
  // https://nodejs.org/api/process.html#processgetbuiltinmoduleid
  const builtin = process.getBuiltinModule('node:sqlite') as { DatabaseSync: DatabaseClass } | undefined;
  if (builtin) return { driver: 'node:sqlite', Database: builtin.DatabaseSync };
  try {
    return { driver: 'better-sqlite3', Database: createRequire(import.meta.url)('better-sqlite3') as DatabaseClass };
  } catch (err) {
    throw new Error(`this Node (${process.version}) has no node:sqlite and better-sqlite3 could not be loaded; use Node 22.13 or later, or reinstall dependencies`, {
      cause: err,
    });
  }
}

/**
 * Opens (creating it if missing) the SQLite file at `path`, in WAL mode with `synchronous =
 * NORMAL`, waiting up to
 * `busyTimeoutMs` for a lock another process holds (https://www.sqlite.org/c3ref/busy_timeout.html).
 * Statements are prepared once and kept for the connection's life.
 * @throws the driver's error when the file cannot be opened or is not an SQLite database.
 */
export function openSqlite(path: string, options: { busyTimeoutMs?: number } = {}): SqliteConnection {
  const { driver, Database } = loadDriver();
  const db = new Database(path);
  const statements = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  let open = true;
  const conn: SqliteConnection = {
    driver,
    query<Row>(sql: string, ...params: SqlValue[]) {
      const s = prepared(sql);
      if (s.reader === false) {
        s.run(...params);
        return [];
      }
      return s.all(...params) as Row[];
    },
    run: (sql, ...params) => Number(prepared(sql).run(...params).changes),
    close() {
      if (!open) return;
      open = false;
      statements.clear();
      db.close();
    },
  };
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 5000))}`);
    conn.query('PRAGMA journal_mode = WAL');
    // In WAL mode, NORMAL syncs at checkpoints rather than at every commit and is still safe from
    // corruption (https://www.sqlite.org/pragma.html#pragma_synchronous); a commit can be lost
    // only to a power cut, never to a crash of the app. better-sqlite3 builds with this default;
    // node:sqlite does not, and then each write waits for an fsync on the event loop (~4 ms here).
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('CREATE TABLE IF NOT EXISTS keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )');
  } catch (err) {
    conn.close();
    throw err;
  }
  return conn;
}

/**
 * A keyv store adapter for one namespace of `conn`'s `keyv` table. keyv hands it keys already
 * prefixed `<namespace>:`; `clear()` deletes exactly the rows of that prefix (no LIKE, whose `_`
 * and `%` are wildcards). `disconnect()` leaves the connection open: it is shared by every
 * namespace and closed by its owner. Values are the text keyv serialized; expiry is keyv's, from
 * that text (so `ttlSupport` is false).
 */
export class SqliteKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  readonly ttlSupport = false;
  /** keyv reads `opts` for its own options (e.g. `dialect`); nothing here is secret. */
  readonly opts = { dialect: 'sqlite' as const };
  namespace?: string | undefined;

  constructor(private readonly conn: SqliteConnection) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.conn.query<{ value: string }>('SELECT value FROM keyv WHERE key = ?', key)[0];
    return row?.value as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const rows = this.conn.query<{ key: string; value: string }>('SELECT key, value FROM keyv WHERE key IN (SELECT value FROM json_each(?))', JSON.stringify(keys));
    const byKey = new Map(rows.map((r) => [r.key, r.value]));
    return keys.map((k) => byKey.get(k) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown): Promise<void> {
    if (typeof value !== 'string') throw new TypeError('the SQLite store keeps serialized text only');
    this.conn.run('INSERT INTO keyv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value);
  }

  async delete(key: string): Promise<boolean> {
    return this.conn.run('DELETE FROM keyv WHERE key = ?', key) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return this.conn.run('DELETE FROM keyv WHERE key IN (SELECT value FROM json_each(?))', JSON.stringify(keys)) > 0;
  }

  async has(key: string): Promise<boolean> {
    return this.conn.query('SELECT 1 FROM keyv WHERE key = ?', key).length > 0;
  }

  async clear(): Promise<void> {
    if (this.namespace) this.conn.run('DELETE FROM keyv WHERE substr(key, 1, ?) = ?', this.namespace.length + 1, `${this.namespace}:`);
    else this.conn.run('DELETE FROM keyv');
  }

  async disconnect(): Promise<void> {}
}
