import { BlobServiceClient } from "@azure/storage-blob";
import { testStorageConnectionString, uniqueName } from "../support/storage";

test("the global Azurite stores and returns a blob", async () => {
  const service = BlobServiceClient.fromConnectionString(testStorageConnectionString());
  const container = service.getContainerClient(uniqueName("smoke"));
  await container.create();
  await container.getBlockBlobClient("a/b.txt").upload("hello", 5);
  const body = await container.getBlockBlobClient("a/b.txt").downloadToBuffer();
  expect(body.toString()).toBe("hello");
  await container.delete();
});
