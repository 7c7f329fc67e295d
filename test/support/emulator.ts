/**
 * Integration-test helpers for the emulator: start one in memory on a free port against the jest global Azurite,
 * call it over real HTTP, put blobs and SAS tokens in Azurite, poll with a deadline.
 */
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from "@azure/storage-blob";
import { EmulatorOptions, RunningEmulator, startEmulator } from "../../emulator";
import type { EmulatorManifest } from "../../emulator/manifest";
import { generateAdultCsv, trainFromCsv } from "../../emulator/ml";
import { testStorageConnectionString, uniqueName } from "./storage";

export type Manifest = EmulatorManifest;

/** Short runs keep tests quick; behaviour does not depend on them. */
export const TEST_OPTIONS: Partial<EmulatorOptions> = {
  inMemory: true,
  port: 0,
  logLevel: "silent",
  jobRunMs: 20,
  armProvisioningDelayMs: 20,
  seedRows: 1500,
};

export async function startTestEmulator(overrides: Partial<EmulatorOptions> = {}): Promise<RunningEmulator & { m: Manifest }> {
  const emulator = await startEmulator({ ...TEST_OPTIONS, storageConnectionString: testStorageConnectionString(), ...overrides });
  return Object.assign(emulator, { m: emulator.manifest as Manifest });
}

/** Starts an emulator before the file's tests and closes it after; read `.current` inside tests. */
export function useEmulator(overrides: Partial<EmulatorOptions> = {}): { current: RunningEmulator & { m: Manifest } } {
  const holder = {} as { current: RunningEmulator & { m: Manifest } };
  beforeAll(async () => {
    holder.current = await startTestEmulator(overrides);
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return holder;
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Calls `fn` until `done` holds or the deadline passes (no fixed sleeps). */
export async function pollUntil<T>(fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
    value = await fn();
  }
  return value;
}

// --- Azurite --------------------------------------------------------------------------------------------------

const ACCOUNT = /AccountName=([^;]+)/.exec(process.env.TEST_STORAGE_CONNECTION_STRING ?? "")?.[1] ?? "devstoreaccount1";
const KEY = /AccountKey=([^;]+)/.exec(process.env.TEST_STORAGE_CONNECTION_STRING ?? "")?.[1] ?? "";

export function blobService(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(testStorageConnectionString());
}

export function blobEndpoint(): string {
  return `${process.env.TEST_BLOB_ENDPOINT}/`;
}

/** Uploads to a fresh container and returns `container/path`. */
export async function putBlob(data: string | Buffer, path: string, container = uniqueName("t")): Promise<string> {
  const c = blobService().getContainerClient(container);
  await c.createIfNotExists();
  const body = typeof data === "string" ? Buffer.from(data) : data;
  await c.getBlockBlobClient(path).upload(body, body.length);
  return `${container}/${path}`;
}

export async function getBlob(relativeLocation: string): Promise<Buffer> {
  const [container, ...rest] = relativeLocation.split("/");
  return blobService().getContainerClient(container).getBlockBlobClient(rest.join("/")).downloadToBuffer();
}

/** A blob-scoped read SAS (`?sv=…&sr=b&sp=r…`), optionally already expired. */
export function blobSas(relativeLocation: string, options: { expired?: boolean } = {}): string {
  const [container, ...rest] = relativeLocation.split("/");
  const now = Date.now();
  const sas = generateBlobSASQueryParameters(
    {
      containerName: container,
      blobName: rest.join("/"),
      permissions: BlobSASPermissions.parse("r"),
      startsOn: new Date(now - (options.expired ? 7_200_000 : 300_000)),
      expiresOn: new Date(options.expired ? now - 3_600_000 : now + 3_600_000),
    },
    new StorageSharedKeyCredential(ACCOUNT, KEY),
  );
  return `?${sas.toString()}`;
}

/** A trained model's .ilearner bytes; `drift` changes the data and therefore the scores. */
export function trainedModelBytes(seed: number, drift = 0): Buffer {
  return trainFromCsv(generateAdultCsv(1200, seed, { drift })).model;
}

export const ADULT_COLUMNS = [
  "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
  "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
];
export const ADULT_ROWS = [
  ["39", "State-gov", "77516", "Bachelors", "13", "Never-married", "Adm-clerical", "Not-in-family", "White", "Male", "2174", "0", "40", "United-States"],
  ["50", "Self-emp-not-inc", "83311", "Bachelors", "13", "Married-civ-spouse", "Exec-managerial", "Husband", "White", "Male", "0", "0", "13", "United-States"],
  ["38", "Private", "215646", "HS-grad", "9", "Divorced", "Handlers-cleaners", "Not-in-family", "White", "Male", "0", "0", "40", "United-States"],
];

export function tableRequest(rows = ADULT_ROWS): unknown {
  return { Inputs: { input1: { ColumnNames: ADULT_COLUMNS, Values: rows } }, GlobalParameters: {} };
}

export const EXECUTION_UNAUTHORIZED = {
  error: {
    code: "Unauthorized",
    message: "Request is unauthorized to access resource.",
    details: [{ code: "ScoreRequestUnauthorized", message: "Invalid credentials provided." }],
  },
};
export const MANAGEMENT_UNAUTHORIZED = { error: { code: "ManagementRequestUnauthorized", message: "Unauthorized" } };

export { uniqueName };
