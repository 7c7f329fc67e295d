/**
 * The data dir's records in one SQLite database (`node:sqlite`, built into Node), one row per record: a write is one
 * upsert of that record's JSON, whatever the number of records stored (issue 21: the JSON files before it rewrote a
 * whole aggregate on every change).
 *
 * Durability: WAL journal, `synchronous=NORMAL`. A commit is in the WAL (the OS's page cache) before the call
 * returns, so a SIGKILL after a write was acknowledged loses nothing; a commit cut short is rolled back on the next
 * open, never half applied. Not fsynced per commit: an operating-system crash or power loss may lose the last
 * writes, which the emulator does not promise to survive. `locking_mode=EXCLUSIVE` keeps a second emulator off the
 * same data dir and needs no shared-memory file.
 */
import * as fs from "fs";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Collection, RecordChange } from "./memory";

/** Bumped when rows change shape; a database from a newer emulator is refused rather than misread. */
const FORMAT_VERSION = 1;

/**
 * Loads `node:sqlite`. Node 22.13–23 print an ExperimentalWarning when it loads (Node 24 does not); that one
 * warning is dropped so the emulator's output stays clean. Node before 22.13 has no unflagged module: say so.
 */
function loadSqlite(): typeof import("node:sqlite") {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (/SQLite is an experimental feature/.test(String(warning))) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return require("node:sqlite") as typeof import("node:sqlite");
  } catch (err) {
    throw new Error(
      `The emulator keeps its data dir in SQLite (node:sqlite), which Node.js ${process.versions.node} does not provide: ` +
        `run it on Node.js 22.13 or newer (\`source scripts/node-lts.sh\` selects one), or use --in-memory. (${(err as Error).message})`,
    );
  } finally {
    process.emitWarning = emitWarning;
  }
}

export class RecordDatabase {
  private readonly upsert: StatementSync;
  private readonly remove: StatementSync;
  /** Own flag: `DatabaseSync.isOpen` is missing from older Node 22 releases. */
  private closed = false;

  private constructor(private readonly db: DatabaseSync, private readonly file: string) {
    this.upsert = db.prepare("INSERT INTO records (collection, key, json) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET json = excluded.json");
    this.remove = db.prepare("DELETE FROM records WHERE collection = ? AND key = ?");
  }

  /** Opens (creating it, mode 0600) the database at `file`. */
  static open(file: string): RecordDatabase {
    const { DatabaseSync } = loadSqlite();
    // SQLite gives its WAL file the database file's mode, so creating the database 0600 keeps both private.
    fs.closeSync(fs.openSync(file, "a", 0o600));
    fs.chmodSync(file, 0o600);
    const db = new DatabaseSync(file, { timeout: 0 });
    try {
      db.exec("PRAGMA locking_mode = EXCLUSIVE");
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      const version = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
      if (version > FORMAT_VERSION) {
        throw new Error(`Emulator state ${file} was written by a newer emulator (format ${version}, this one reads ${FORMAT_VERSION}); use that emulator or delete the data dir.`);
      }
      // A rowid table: an upsert keeps the row's rowid, so loading by rowid gives creation order (the listings' order).
      db.exec("CREATE TABLE IF NOT EXISTS records (collection TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, UNIQUE (collection, key))");
      db.exec(`PRAGMA user_version = ${FORMAT_VERSION}`);
    } catch (err) {
      db.close();
      if (/locked|busy/i.test((err as Error).message)) {
        throw new Error(`Emulator state ${file} is in use by another emulator process: stop it, or give this one another --data-dir.`);
      }
      if (/not a database|malformed/i.test((err as Error).message)) {
        throw new Error(`Cannot read emulator state ${file}: ${(err as Error).message}. Delete the data dir's state/ folder (the emulator then starts empty).`);
      }
      throw err;
    }
    return new RecordDatabase(db, file);
  }

  isEmpty(): boolean {
    return this.db.prepare("SELECT 1 FROM records LIMIT 1").get() === undefined;
  }

  /** Every stored record, by collection, each collection in creation order. */
  loadAll(): Map<Collection, unknown[]> {
    const out = new Map<Collection, unknown[]>();
    for (const row of this.db.prepare("SELECT collection, json FROM records ORDER BY rowid").iterate() as Iterable<{ collection: Collection; json: string }>) {
      let record: unknown;
      try {
        record = JSON.parse(row.json);
      } catch (err) {
        throw new Error(`Cannot read emulator state ${this.file}: a ${row.collection} record is not JSON (${(err as Error).message}).`);
      }
      const list = out.get(row.collection) ?? [];
      list.push(record);
      out.set(row.collection, list);
    }
    return out;
  }

  /** Writes one change; committed when this returns. */
  apply(change: RecordChange): void {
    if (change.record === undefined) this.remove.run(change.collection, change.key);
    else this.upsert.run(change.collection, change.key, JSON.stringify(change.record));
  }

  /** Writes all the changes in one transaction: all of them or none. */
  applyAll(changes: RecordChange[]): void {
    this.db.exec("BEGIN");
    try {
      for (const change of changes) this.apply(change);
      this.db.exec("COMMIT");
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
