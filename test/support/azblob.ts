/**
 * Pulumi's Azure Blob state backend (`azblob://`) on the jest global Azurite, the way a team points it at a real
 * storage account: a container made first, the account name and key in AZURE_STORAGE_ACCOUNT / AZURE_STORAGE_KEY.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from "../../scripts/services/azurite";
import { testStorageConnectionString, uniqueName } from "./storage";

export interface AzblobBackend {
  container: string;
  /** What PULUMI_BACKEND_URL is set to. */
  url: string;
  /** Environment for the CLI: the backend URL and the storage account's credentials. */
  envVars: Record<string, string>;
  /** Blob names under a prefix of the state container, e.g. `.pulumi/locks/`. */
  list(prefix: string): Promise<string[]>;
  read(name: string): Promise<string>;
  remove(): Promise<void>;
}

export async function azblobBackend(): Promise<AzblobBackend> {
  const service = BlobServiceClient.fromConnectionString(testStorageConnectionString());
  const container = uniqueName("pulumi-state");
  const client = service.getContainerClient(container);
  await client.create();
  const endpoint = new URL(process.env.TEST_BLOB_ENDPOINT ?? service.url);
  // localemu: path-style URLs (http://host:port/account/container), as Azurite serves them.
  const url = `azblob://${container}?domain=${endpoint.host}&protocol=${endpoint.protocol.replace(":", "")}&localemu=true`;
  return {
    container,
    url,
    envVars: { PULUMI_BACKEND_URL: url, AZURE_STORAGE_ACCOUNT: AZURITE_ACCOUNT_NAME, AZURE_STORAGE_KEY: AZURITE_ACCOUNT_KEY },
    async list(prefix) {
      const names: string[] = [];
      for await (const b of client.listBlobsFlat({ prefix })) names.push(b.name);
      return names;
    },
    async read(name) {
      return (await client.getBlobClient(name).downloadToBuffer()).toString("utf8");
    },
    async remove() {
      await client.deleteIfExists();
    },
  };
}
