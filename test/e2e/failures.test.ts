/**
 * A failing program prints its own message through the CLI (issue #7): on Node 20.20 the SDK's error formatting
 * took 18–62 s and up to 3.7 GB before the message appeared, or never printed it on a capped runner. These tests
 * assert what a user reads; bench/failures.ts measures how long it takes.
 */
import * as path from "path";
import { AZURITE_ACCOUNT_NAME } from "../../scripts/services/azurite";
import { withStack } from "../support/pulumi";

const project = path.join(__dirname, "fixtures", "failures");

function storageConfig() {
  const blobEndpoint = process.env.TEST_BLOB_ENDPOINT;
  if (!blobEndpoint) throw new Error("TEST_BLOB_ENDPOINT is not set: run through jest, whose global setup starts Azurite");
  return {
    storageAccountName: { value: AZURITE_ACCOUNT_NAME },
    storageBlobEndpoint: { value: blobEndpoint },
    // Well-formed but not the account's key: storage refuses the signature.
    storageAccountKey: { value: Buffer.alloc(64, 7).toString("base64"), secret: true },
  };
}

async function previewOutput(mode: string): Promise<{ ok: boolean; text: string }> {
  return withStack(project, { mode: { value: mode }, ...storageConfig() }, async ({ stack }) => {
    try {
      const result = await stack.preview();
      return { ok: true, text: `${result.stdout}${result.stderr}` };
    } catch (err) {
      return { ok: false, text: String((err as Error).message) };
    }
  });
}

test("a succeeding preview of the same program passes (the failures below come from their mode)", async () => {
  const { ok, text } = await previewOutput("ok");
  expect(ok).toBe(true);
  expect(text).toMatch(/\+ 2 to create/);
});

test("the program and the dynamic-provider process run on a supported Node LTS (22 or newer)", async () => {
  const outputs = await withStack(project, { mode: { value: "ok" }, ...storageConfig() }, async ({ stack }) => (await stack.up()).outputs);
  for (const key of ["programNode", "providerNode"]) {
    const major = Number(/^v(\d+)\./.exec(String(outputs[key].value))?.[1]);
    expect({ key, major: major >= 22 }).toEqual({ key, major: true });
  }
});

test.each([
  ["missing-config", /Missing required configuration variable 'failures:modelContainerMissingOnPurpose'/],
  ["apply-throw", /error serializing property "value": apply-throw marker: cannot derive a value from apply-throw/],
  ["run-error", /run-error marker: the program refused to continue/],
  ["latest-model", /getLatestModelBlob "models\/": list blobs failed: 403/],
])("a program failing with %s prints its own message", async (mode, message) => {
  const { ok, text } = await previewOutput(mode);
  expect(ok).toBe(false);
  expect(text).toMatch(message);
  // The message is the program's, not a formatting failure of the SDK.
  expect(text).not.toMatch(/Invalid string length|heap out of memory/);
  // A failing getLatestModelBlob never echoes the key it was given.
  expect(text).not.toContain(Buffer.alloc(64, 7).toString("base64"));
});
