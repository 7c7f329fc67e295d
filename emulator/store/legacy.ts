/**
 * Data dirs written before issue 21 keep their state as one JSON file per aggregate (`state/classic.json`,
 * `jobs.json`, `arm.json`, `pipelines.json`, `meta.json`). They are migrated, not refused: `.data/emulator` holds the
 * keys and ids a user's stacks already reference. The records are replayed through the in-memory stores (so each
 * gets the key those stores use) and written to the database in one transaction; only then are the JSON files
 * removed, so a crash midway leaves either the JSON files or the migrated database, and the next start finishes.
 */
import * as fs from "fs";
import * as path from "path";
import { ArmSnapshot, ClassicSnapshot, MemoryArmStore, MemoryClassicStore, MemoryJobStore, MemoryMetaStore, MemoryPipelineStore, PipelineSnapshot, RecordChange } from "./memory";
import type { RecordDatabase } from "./sqlite";
import type { JobRecord, MetaRecord } from "./types";

const LEGACY_FILES = ["classic", "jobs", "arm", "pipelines", "meta"] as const;

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot migrate emulator state ${file}: ${(err as Error).message}. Fix or delete the file (the data dir then starts empty).`);
  }
}

/** The legacy records as changes, keyed as the stores key them. */
function legacyChanges(stateDir: string): RecordChange[] {
  const file = (name: string): string => path.join(stateDir, `${name}.json`);
  const changes: RecordChange[] = [];
  const collect = (change: RecordChange): void => void changes.push(change);
  const classic = readJson<ClassicSnapshot>(file("classic"));
  const classicStore = new MemoryClassicStore(undefined, collect);
  for (const w of classic?.workspaces ?? []) classicStore.putWorkspace(w);
  for (const s of classic?.webServices ?? []) classicStore.putWebService(s);
  for (const e of classic?.endpoints ?? []) classicStore.putEndpoint(e);
  const jobStore = new MemoryJobStore(undefined, collect);
  for (const j of readJson<JobRecord[]>(file("jobs")) ?? []) jobStore.put(j);
  const arm = readJson<ArmSnapshot>(file("arm"));
  const armStore = new MemoryArmStore(undefined, collect);
  for (const s of arm?.services ?? []) armStore.putService(s);
  for (const o of arm?.operations ?? []) armStore.putOperation(o);
  const pipelines = readJson<PipelineSnapshot>(file("pipelines"));
  const pipelineStore = new MemoryPipelineStore(undefined, collect);
  for (const e of pipelines?.endpoints ?? []) pipelineStore.putEndpoint(e);
  for (const r of pipelines?.runs ?? []) pipelineStore.putRun(r);
  const meta = readJson<MetaRecord>(file("meta"));
  if (meta) new MemoryMetaStore(undefined, collect).put(meta);
  return changes;
}

/**
 * Moves legacy JSON state into `db` when the database is still empty, then deletes the JSON files (also leftovers
 * of a migration cut short after its commit). Returns how many records were migrated.
 */
export function migrateLegacyJson(stateDir: string, db: RecordDatabase): number {
  const present = LEGACY_FILES.map((name) => path.join(stateDir, `${name}.json`)).filter((f) => fs.existsSync(f));
  if (present.length === 0) return 0;
  let migrated = 0;
  if (db.isEmpty()) {
    const changes = legacyChanges(stateDir);
    db.applyAll(changes);
    migrated = changes.length;
  }
  for (const f of present) fs.rmSync(f, { force: true });
  return migrated;
}
