/**
 * File-backed stores: the in-memory stores, loaded at start from `{dataDir}/state/emulator.db` and writing each
 * changed record to it as the change happens (store/sqlite.ts says why SQLite and what survives a kill). State
 * from before (JSON files, one per aggregate) is migrated on first start (store/legacy.ts). Files are mode 0600:
 * they hold keys and client connection strings. Bound models are kept as `{dataDir}/models/{sha256}.ilearner`.
 */
import * as fs from "fs";
import * as path from "path";
import type { Stores } from "./index";
import { migrateLegacyJson } from "./legacy";
import { ArmSnapshot, ClassicSnapshot, MemoryArmStore, MemoryClassicStore, MemoryJobStore, MemoryMetaStore, MemoryModelRepository, MemoryPipelineStore, PipelineSnapshot } from "./memory";
import { RecordDatabase } from "./sqlite";
import type { JobRecord, MetaRecord } from "./types";

/** Writes `file` atomically with mode 0600. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Stores backed by a data dir; `close()` releases its database (and the data dir's lock). */
export interface FileStores extends Stores {
  close(): void;
}

export function createFileStores(dataDir: string): FileStores {
  const stateDir = path.join(dataDir, "state");
  const modelsDir = path.join(dataDir, "models");
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(modelsDir, { recursive: true, mode: 0o700 });
  const db = RecordDatabase.open(path.join(stateDir, "emulator.db"));
  try {
    migrateLegacyJson(stateDir, db);
    const loaded = db.loadAll();
    const all = <T>(collection: Parameters<typeof loaded.get>[0]): T[] => (loaded.get(collection) ?? []) as T[];
    const save = db.apply.bind(db);
    const classicSnapshot: ClassicSnapshot = { workspaces: all("workspace"), webServices: all("webService"), endpoints: all("endpoint") };
    const armSnapshot: ArmSnapshot = { services: all("armService"), operations: all("armOperation") };
    const pipelineSnapshot: PipelineSnapshot = { endpoints: all("pipelineEndpoint"), runs: all("pipelineRun") };
    return {
      classic: new MemoryClassicStore(classicSnapshot, save),
      jobs: new MemoryJobStore(all<JobRecord>("job"), save),
      arm: new MemoryArmStore(armSnapshot, save),
      pipelines: new MemoryPipelineStore(pipelineSnapshot, save),
      meta: new MemoryMetaStore(all<MetaRecord>("meta")[0], save),
      models: fileModelRepository(modelsDir),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Bound models as files: written once (atomically) per hash, read back on a cache miss. */
function fileModelRepository(modelsDir: string): Stores["models"] {
  const modelFile = (hash: string): string => path.join(modelsDir, `${hash}.ilearner`);
  const memoryModels = new MemoryModelRepository((hash) => {
    try {
      return fs.readFileSync(modelFile(hash));
    } catch {
      return undefined;
    }
  });
  return {
    put(hash: string, bytes: Buffer): void {
      if (!fs.existsSync(modelFile(hash))) writeFileAtomic(modelFile(hash), bytes);
      memoryModels.put(hash, bytes);
    },
    has: (hash: string) => memoryModels.has(hash),
    load: (hash: string) => memoryModels.load(hash),
  };
}

export function createMemoryStores(): Stores {
  return {
    classic: new MemoryClassicStore(),
    jobs: new MemoryJobStore(),
    arm: new MemoryArmStore(),
    pipelines: new MemoryPipelineStore(),
    meta: new MemoryMetaStore(undefined),
    models: new MemoryModelRepository(),
  };
}
