/**
 * Starts and stops Azurite's blob service (the real Azure Storage emulator, from npm) on loopback.
 * Used by the jest global setup, `npm start` and `npm run emulator`.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { waitUntilReady } from "./deadline";

/** Azurite's documented development account; its key is public and only valid against Azurite. */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
export const DEFAULT_AZURITE_HOST = "127.0.0.1";
/** Start-up deadline on an idle machine; stretched by the load per core, or set by AZURITE_START_TIMEOUT_MS. */
const START_TIMEOUT_BASE_MS = 60_000;

export interface AzuriteOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Folder for blob data; default a fresh temp folder. Ignored with `inMemory`. */
  location?: string;
  /** Keep blobs in memory only (tests). */
  inMemory?: boolean;
}

export interface RunningAzurite {
  accountName: string;
  accountKey: string;
  /** Blob endpoint, e.g. `http://127.0.0.1:10000/devstoreaccount1` (path-style, no trailing slash). */
  blobEndpoint: string;
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

export function azuriteConnectionString(blobEndpoint: string): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `BlobEndpoint=${blobEndpoint};`
  );
}

export async function freePort(host = DEFAULT_AZURITE_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: DEFAULT_AZURITE_HOST, port, path: `/${AZURITE_ACCOUNT_NAME}?comp=list`, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => { req.destroy(); resolve(false); });
  });
}

function azuriteEntry(): string {
  return require.resolve("azurite/dist/src/blob/main.js");
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = options.port || (await freePort());
  const args = [
    azuriteEntry(),
    "--blobHost", DEFAULT_AZURITE_HOST,
    "--blobPort", String(port),
    "--silent",
    // Azure SDKs send newer API versions than Azurite knows; Azurite rejects them unless told not to.
    "--skipApiVersionCheck",
    "--disableProductStyleUrl",
  ];
  if (options.inMemory) {
    args.push("--inMemoryPersistence");
  } else {
    const location = options.location ?? fs.mkdtempSync(path.join(os.tmpdir(), "azurite-"));
    fs.mkdirSync(location, { recursive: true });
    args.push("--location", location);
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => { stderr += String(chunk); });
  let exited = false;
  child.once("exit", () => { exited = true; });

  try {
    await waitUntilReady(() => answers(port), {
      what: `Azurite on ${DEFAULT_AZURITE_HOST}:${port}`,
      baseMs: START_TIMEOUT_BASE_MS,
      overrideEnv: "AZURITE_START_TIMEOUT_MS",
      failure: () => (exited ? "exited during start-up" : undefined),
    });
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
  }

  const blobEndpoint = `http://${DEFAULT_AZURITE_HOST}:${port}/${AZURITE_ACCOUNT_NAME}`;
  return {
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const killTimer = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => { clearTimeout(killTimer); resolve(); });
        child.kill("SIGTERM");
      }),
  };
}
