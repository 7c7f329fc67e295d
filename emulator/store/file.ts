/**
 * File-backed stores: the in-memory stores, loaded from and saved to JSON files in `{dataDir}/state/`. Every change
 * rewrites that aggregate's file atomically (write a temporary file, then rename), so a crash leaves either the old
 * or the new file, never half of one. Files are mode 0600: they hold keys and client connection strings.
 * Bound models are kept as `{dataDir}/models/{sha256}.ilearner`.
 */
import * as fs from "fs";
import * as path from "path";
import type { Stores } from "./index";
import { MemoryArmStore, MemoryClassicStore, MemoryJobStore, MemoryMetaStore, MemoryModelRepository, MemoryPipelineStore } from "./memory";

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot read emulator state ${file}: ${(err as Error).message}. Fix or delete the file (the data dir then starts empty).`);
  }
}

/** Writes `file` atomically with mode 0600. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function createFileStores(dataDir: string): Stores {
  const stateDir = path.join(dataDir, "state");
  const modelsDir = path.join(dataDir, "models");
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(modelsDir, { recursive: true, mode: 0o700 });
  const file = (name: string): string => path.join(stateDir, `${name}.json`);
  const saver = (name: string, snapshot: () => unknown) => () => writeFileAtomic(file(name), JSON.stringify(snapshot(), null, 1));

  const classic: MemoryClassicStore = new MemoryClassicStore(readJson(file("classic")), saver("classic", () => classic.snapshot()));
  const jobs: MemoryJobStore = new MemoryJobStore(readJson(file("jobs")), saver("jobs", () => jobs.snapshot()));
  const arm: MemoryArmStore = new MemoryArmStore(readJson(file("arm")), saver("arm", () => arm.snapshot()));
  const pipelines: MemoryPipelineStore = new MemoryPipelineStore(readJson(file("pipelines")), saver("pipelines", () => pipelines.snapshot()));
  const meta: MemoryMetaStore = new MemoryMetaStore(readJson(file("meta")), saver("meta", () => meta.snapshot()));

  const modelFile = (hash: string): string => path.join(modelsDir, `${hash}.ilearner`);
  const memoryModels = new MemoryModelRepository((hash) => {
    try {
      return fs.readFileSync(modelFile(hash));
    } catch {
      return undefined;
    }
  });
  const models = {
    put(hash: string, bytes: Buffer): void {
      if (!fs.existsSync(modelFile(hash))) writeFileAtomic(modelFile(hash), bytes);
      memoryModels.put(hash, bytes);
    },
    has: (hash: string) => memoryModels.has(hash),
    load: (hash: string) => memoryModels.load(hash),
  };
  return { classic, jobs, arm, pipelines, meta, models };
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
