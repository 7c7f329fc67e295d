import { startAzurite } from "../../scripts/services/azurite";

/** Starts one in-memory Azurite for all test files; workers read its address from the environment. */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite({ inMemory: true });
  (globalThis as { __azurite?: { stop(): Promise<void> } }).__azurite = azurite;
  process.env.TEST_STORAGE_CONNECTION_STRING = azurite.connectionString;
  process.env.TEST_BLOB_ENDPOINT = azurite.blobEndpoint;
}
