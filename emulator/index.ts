/**
 * `startEmulator(options)`: starts Azurite (unless given a storage connection string), opens the stores, seeds,
 * listens on loopback and writes the manifest. `close()` stops all of it.
 */
import * as fs from "fs";
import * as path from "path";
import type { FastifyInstance } from "fastify";
import { RunningAzurite, startAzurite } from "../scripts/services/azurite";
import { buildApp } from "./app";
import { authChecks } from "./auth";
import { parseConnectionString } from "./blobs";
import { EmulatorOptions, defaultOptions } from "./config";
import { EmulatorContext, EmulatorStorage, RequestCounter, Scheduler } from "./context";
import { EmulatorManifest, buildManifest, writeManifest } from "./manifest";
import { failInterruptedOperations } from "./routes/arm";
import { failInterruptedJobs } from "./routes/batch";
import { failInterruptedRuns } from "./routes/pipelines";
import { seed } from "./seed";
import type { Stores } from "./store";
import { FileStores, createFileStores, createMemoryStores } from "./store/file";

export type { EmulatorOptions } from "./config";
export type { EmulatorManifest } from "./manifest";

export interface RunningEmulator {
  url: string;
  manifest: EmulatorManifest;
  /** Absent with `inMemory`: nothing is written to disk then. */
  manifestPath?: string;
  /** The options in effect (faults can be changed here or through `PUT /_emulator/faults`). */
  options: EmulatorOptions;
  app: FastifyInstance;
  /** The emulator's state, for tests that need a situation the API cannot create (a second workspace). */
  stores: Stores;
  close(): Promise<void>;
}

function storageFromConnectionString(connectionString: string): EmulatorStorage {
  const info = parseConnectionString(connectionString);
  if (!info.accountName || !info.accountKey) {
    throw new Error("storageConnectionString must carry AccountName and AccountKey: the emulator mints SAS tokens with the key.");
  }
  return { connectionString, blobEndpoint: info.blobEndpoint, accountName: info.accountName, accountKey: info.accountKey };
}

export async function startEmulator(overrides: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const options: EmulatorOptions = { ...defaultOptions(), ...overrides, faults: { ...(overrides.faults ?? {}) } };
  if (!options.inMemory) fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });

  let azurite: RunningAzurite | undefined;
  let storage: EmulatorStorage;
  if (options.storageConnectionString) {
    storage = storageFromConnectionString(options.storageConnectionString);
  } else {
    azurite = await startAzurite({ port: options.azuritePort, inMemory: options.inMemory, location: path.join(options.dataDir, "azurite") });
    storage = storageFromConnectionString(azurite.connectionString);
  }

  const scheduler = new Scheduler();
  let app: FastifyInstance | undefined;
  let fileStores: FileStores | undefined;
  try {
    fileStores = options.inMemory ? undefined : createFileStores(options.dataDir);
    const stores = fileStores ?? createMemoryStores();
    const ctx: EmulatorContext = {
      options,
      stores,
      storage,
      authChecks: authChecks(stores),
      scheduler,
      counter: new RequestCounter(),
      baseUrl: "",
    };
    failInterruptedJobs(ctx);
    failInterruptedOperations(ctx);
    failInterruptedRuns(ctx);
    if (options.seed) await seed(ctx);

    app = buildApp(ctx);
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    ctx.baseUrl = `http://${options.host}:${port}`;

    const manifest = buildManifest(ctx);
    const manifestPath = options.inMemory ? undefined : writeManifest(options.dataDir, manifest);
    app.log.info({ url: ctx.baseUrl, manifestPath }, "emulator listening");
    const running = app;
    let closing: Promise<void> | undefined;
    return {
      url: ctx.baseUrl,
      manifest,
      manifestPath,
      options,
      app: running,
      stores: ctx.stores,
      close: () =>
        (closing ??= (async () => {
          await running.close();
          await scheduler.close();
          fileStores?.close();
          await azurite?.stop();
        })()),
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await scheduler.close();
    fileStores?.close();
    await azurite?.stop();
    throw err;
  }
}
