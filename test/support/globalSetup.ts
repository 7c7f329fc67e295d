import { execFileSync } from "child_process";
import * as path from "path";
import { startAzurite } from "../../scripts/services/azurite";
import { ensureSeedBlobs } from "../../emulator/seed";
import { TEST_OPTIONS } from "./emulator";

/** Starts one in-memory Azurite for all test files; workers read its address from the environment. */
export default async function globalSetup(): Promise<void> {
  // Engine tests run the built provider: the stubs in state require it by package name (issue 8).
  execFileSync("bash", [path.join(__dirname, "..", "..", "scripts", "build-provider.sh")], { stdio: "inherit" });
  const azurite = await startAzurite({ inMemory: true });
  (globalThis as { __azurite?: { stop(): Promise<void> } }).__azurite = azurite;
  process.env.TEST_STORAGE_CONNECTION_STRING = azurite.connectionString;
  process.env.TEST_BLOB_ENDPOINT = azurite.blobEndpoint;
  // Every file's emulator finds the seed blobs there, rather than two of them uploading different ones at once.
  await ensureSeedBlobs(azurite.connectionString, TEST_OPTIONS.seedRows!);
}
