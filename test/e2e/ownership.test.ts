/**
 * Endpoint ownership and the promotion audit through the real engine: two stacks of one project bind the same
 * classic endpoint — the second's preview is refused naming the owner, with zero writes, until the owner's destroy
 * releases the claim; every verified promotion is listed by the `azureml-retrain-audit` bin, a failed one is not.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { BlobServiceClient } from "@azure/storage-blob";
import { scoringEndpointProvider, ScoringEndpointInputs, ScoringEndpointState } from "../../provider/lifecycle/scoringEndpoint";
import { STATE_CONTAINER } from "../../provider/clients/stateBlobs";
import { StackConfig } from "../../examples/local/manifestConfig";
import { withStack } from "../support/pulumi";
import { emulatorWrites, resetEmulatorRequests, usePromotionEmulator } from "../support/promotion";
import { uniqueName } from "../support/storage";

const project = path.join(__dirname, "fixtures", "ownership");
const AUDIT_BIN = path.join(__dirname, "..", "..", "dist", "provider", "cli", "audit.js");
const env = usePromotionEmulator();

/** An added endpoint made outside both stacks (as a platform team's shared endpoint would be). */
async function sharedEndpoint(): Promise<ScoringEndpointState> {
  const { classic } = env.emulator.manifest;
  const inputs: Partial<ScoringEndpointInputs> = {
    resourceName: "shared", workspaceId: classic.workspaceId, webServiceId: classic.predictiveService.id, endpointName: uniqueName("shared"),
    workspaceToken: classic.workspaceToken, region: classic.region, managementBaseUrl: classic.managementBaseUrl,
  };
  const checked = await scoringEndpointProvider.check!({} as never, inputs as never);
  return (await scoringEndpointProvider.create!(checked.inputs as ScoringEndpointInputs)).outs as ScoringEndpointState;
}

function stackConfig(ep: ScoringEndpointState, modelPrefix: string, extra: Record<string, string> = {}): StackConfig {
  const { classic, storage, containers } = env.emulator.manifest;
  return {
    storageAccountName: { value: storage.accountName },
    storageBlobEndpoint: { value: storage.blobEndpoint },
    storageAccountKey: { value: storage.accountKey, secret: true },
    workspaceId: { value: classic.workspaceId },
    predictiveServiceId: { value: classic.predictiveService.id },
    endpointName: { value: ep.endpointName },
    region: { value: classic.region },
    managementBaseUrl: { value: classic.managementBaseUrl },
    endpointKey: { value: ep.primaryKey!, secret: true },
    trainedModelName: { value: classic.predictiveService.trainedModelResourceName },
    modelContainer: { value: containers.models },
    modelPrefix: { value: modelPrefix },
    ...Object.fromEntries(Object.entries(extra).map(([k, value]) => [k, { value }])),
  };
}

function targetKeyOf(ep: ScoringEndpointState): string {
  const { classic } = env.emulator.manifest;
  return `classic/${classic.region}/${classic.workspaceId}/${classic.predictiveService.id}/${ep.endpointName}/${classic.predictiveService.trainedModelResourceName}`;
}

async function claimOwner(ep: ScoringEndpointState): Promise<string | undefined> {
  const blob = BlobServiceClient.fromConnectionString(env.emulator.manifest.storage.connectionString)
    .getContainerClient(STATE_CONTAINER)
    .getBlobClient(`claims/${targetKeyOf(ep)}.json`);
  if (!(await blob.exists())) return undefined;
  return JSON.parse((await blob.downloadToBuffer()).toString()).owner;
}

async function auditBin(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [AUDIT_BIN, ...args], {
    env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: env.emulator.manifest.storage.connectionString },
  });
  return stdout;
}

test("a second stack's preview for an owned endpoint is refused naming the owner, with zero writes; after the owner's destroy its up succeeds", async () => {
  const prefix = `${uniqueName("own")}/`;
  const v1 = await env.models.upload(prefix, "v1", 1);
  const ep = await sharedEndpoint();
  const config = stackConfig(ep, prefix);

  await withStack(project, config, async (owner) => {
    expect((await owner.stack.up()).summary.resourceChanges).toEqual({ create: 2 });
    const ownerStack = `organization/ownership/${owner.stack.name}`;
    expect(await claimOwner(ep)).toBe(ownerStack);

    await withStack(project, config, async (second) => {
      await resetEmulatorRequests(env.emulator.url);
      const refused = await second.stack.preview().then(() => undefined, (e: Error) => e);
      expect(refused?.message).toContain(`is owned by stack ${ownerStack} (binding "scoring-model"`);
      expect(refused?.message).toContain(`stack organization/ownership/${second.stack.name} may not bind it`);
      expect(refused?.message).toContain(`in stack ${ownerStack}, remove the binding and run pulumi up, or run pulumi destroy`);
      expect(await emulatorWrites(env.emulator.url)).toEqual({});
      expect(await claimOwner(ep)).toBe(ownerStack);

      // The owner hands over by destroying its binding; the second stack then binds and owns the endpoint.
      expect((await owner.stack.destroy()).summary.resourceChanges).toEqual({ delete: 2 });
      expect(await claimOwner(ep)).toBeUndefined();
      const up = await second.stack.up();
      expect(up.summary.resourceChanges).toEqual({ create: 2 });
      expect(up.outputs.model.value).toMatchObject({ path: v1.path, etag: v1.etag });
      expect(await claimOwner(ep)).toBe(`organization/ownership/${second.stack.name}`);
    });
    // The second stack's destroy (withStack) released its claim too.
    expect(await claimOwner(ep)).toBeUndefined();
  });
});

test("every verified promotion is listed by azureml-retrain-audit, newest first; a promotion that fails verification is not", async () => {
  const prefix = `${uniqueName("aud")}/`;
  const v1 = await env.models.upload(prefix, "v1", 1);
  const ep = await sharedEndpoint();
  const key = targetKeyOf(ep);

  await withStack(project, stackConfig(ep, prefix, { actor: "alice" }), async ({ stack }) => {
    await stack.up();
    const v2 = await env.models.upload(prefix, "v2", 2);
    await stack.setConfig("actor", { value: "bob" });
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 1, update: 1 });

    const lines = (await auditBin("--target", key, "--last", "5", "--json")).trim().split("\n").map((l) => JSON.parse(l));
    const stackName = `organization/ownership/${stack.name}`;
    expect(lines).toEqual([
      expect.objectContaining({ operation: "update", actor: "bob", stack: stackName, target: key, binding: "scoring-model", verifiedBy: "model-headers",
        from: expect.objectContaining({ path: v1.path, etag: v1.etag }), to: expect.objectContaining({ path: v2.path, etag: v2.etag }) }),
      expect.objectContaining({ operation: "create", actor: "alice", stack: stackName, to: expect.objectContaining({ path: v1.path, etag: v1.etag }) }),
    ]);
    expect(lines[0].from.metrics.auc).toBeCloseTo(v1.auc, 3);
    expect(lines[0].to.metrics.auc).toBeCloseTo(v2.auc, 3);
    expect(lines[0].gateVerdict).toMatchObject({ passed: true, checks: [expect.objectContaining({ metric: "auc", passed: true })] });

    // The human-readable form names who, what and the metrics; --last 1 is the newest only.
    const text = await auditBin("--target", key, "--last", "1");
    expect(text).toContain(`last 1 promotion of ${key}, newest first:`);
    expect(text).toMatch(new RegExp(`update {2}by bob {2}stack ${stackName} {2}binding scoring-model`));
    expect(text).toContain(`${env.emulator.manifest.containers.models}/${v1.path} (${v1.etag.slice(-8)}) → ${env.emulator.manifest.containers.models}/${v2.path} (${v2.etag.slice(-8)})`);
    expect(text).toMatch(/auc 0\.\d{4} → 0\.\d{4}/);
    expect(text).toMatch(/\n {2}gate passed \(auc 0\.\d{4} >= 0\.5\)\n/);
    expect(await auditBin()).toContain(key);

    // Scoring fails after the write: the up fails and the audit still lists two promotions.
    await env.models.upload(prefix, "v3", 3);
    await fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rrs: { errorRate: 1 } }) });
    try {
      await expect(stack.up()).rejects.toThrow(/verification of .* failed/);
    } finally {
      await fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" });
    }
    const after = (await auditBin("--target", key, "--json")).trim().split("\n").map((l) => JSON.parse(l).to.path);
    expect(after).toEqual([v2.path, v1.path]);
  });
});

async function claimHolders(ep: ScoringEndpointState): Promise<string[] | undefined> {
  const blob = BlobServiceClient.fromConnectionString(env.emulator.manifest.storage.connectionString)
    .getContainerClient(STATE_CONTAINER)
    .getBlobClient(`claims/${targetKeyOf(ep)}.json`);
  return (await blob.exists()) ? JSON.parse((await blob.downloadToBuffer()).toString()).holders : undefined;
}

test("the claim survives refactors within the stack: binding → rollout → binding, and another stack stays refused", async () => {
  const prefix = `${uniqueName("ref")}/`;
  await env.models.upload(prefix, "v1", 1);
  const ep = await sharedEndpoint();
  const config = { ...stackConfig(ep, prefix), workspaceToken: { value: env.emulator.manifest.classic.workspaceToken, secret: true } };

  await withStack(project, config, async (owner) => {
    await owner.stack.up();
    const ownerStack = `organization/ownership/${owner.stack.name}`;
    expect(await claimHolders(ep)).toEqual(["scoring-model"]);

    // The binding is replaced by a rollout of the same endpoint: the rollout's wave is created, then the binding deleted.
    await owner.stack.setConfig("shape", { value: "rollout" });
    expect((await owner.stack.up()).summary.resourceChanges).toMatchObject({ create: 2, delete: 1 });
    expect(await claimOwner(ep)).toBe(ownerStack);
    expect(await claimHolders(ep)).toEqual([`scoring-rollout-canary/classic/${ep.workspaceId}/${ep.webServiceId}/${ep.endpointName}`]);
    await withStack(project, config, async (second) => {
      await expect(second.stack.preview()).rejects.toThrow(`is owned by stack ${ownerStack}`);
    });

    // And back: single bindings instead of the rollout.
    await owner.stack.setConfig("shape", { value: "binding" });
    expect((await owner.stack.up()).summary.resourceChanges).toMatchObject({ create: 1, delete: 2 });
    expect(await claimOwner(ep)).toBe(ownerStack);
    expect(await claimHolders(ep)).toEqual(["scoring-model"]);
  });
  // The last holder's destroy releases it.
  expect(await claimOwner(ep)).toBeUndefined();
});

test("one target declared twice in one stack (a binding and a rollout) is refused at preview naming both, with zero writes, and at every up", async () => {
  const prefix = `${uniqueName("dup")}/`;
  await env.models.upload(prefix, "v1", 1);
  const ep = await sharedEndpoint();
  const config = { ...stackConfig(ep, prefix, { shape: "both" }), workspaceToken: { value: env.emulator.manifest.classic.workspaceToken, secret: true } };
  await withStack(project, config, async ({ stack }) => {
    await resetEmulatorRequests(env.emulator.url);
    const refused = await stack.preview().then(() => "", (e: Error) => e.message);
    expect(refused).toContain(`is declared twice in stack organization/ownership/${stack.name}`);
    expect(refused).toMatch(/by (TrainedModelBinding "scoring-model" and by ModelRollout wave "scoring-rollout-canary"|ModelRollout wave "scoring-rollout-canary" and by TrainedModelBinding "scoring-model")/);
    expect(refused).toContain("Declare each target once per stack");
    expect(await emulatorWrites(env.emulator.url)).toEqual({});
    expect(await claimOwner(ep)).toBeUndefined();
    // up without its preview: whichever resource the engine checks second is refused, every time, so the two never
    // take turns binding the target.
    await expect(stack.up({ refresh: true })).rejects.toThrow("is declared twice");
    await expect(stack.up({ refresh: true })).rejects.toThrow("is declared twice");
  });
});
