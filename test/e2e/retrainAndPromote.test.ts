/**
 * The README's RetrainAndPromote declaration through the real engine (issue 9): the first up trains and holds the
 * model in every wave (reviewed), the next preview shows each wave old → new, the up after it promotes with one
 * write per target.
 */
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { generateAdultCsv } from "../../emulator/ml";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { withStack } from "../support/pulumi";
import { boundPath, emulatorWrites, resetEmulatorRequests, scoringModel, usePromotionEmulator } from "../support/promotion";
import { uniqueName } from "../support/storage";

const project = path.join(__dirname, "fixtures", "retrainAndPromote");
const env = usePromotionEmulator();

test("RetrainAndPromote: trained and held, reviewed wave by wave, then promoted with one write per target", async () => {
  const datasetPath = `${uniqueName("census")}/latest.csv`;
  const csv = generateAdultCsv(3000, 1);
  const { manifest } = env.emulator;
  await BlobServiceClient.fromConnectionString(manifest.storage.connectionString).getContainerClient(manifest.containers.training).getBlockBlobClient(datasetPath).upload(csv, csv.length);
  const config = { ...configFromManifest(manifest, datasetPath), endpointName: { value: uniqueName("rp") } };

  await withStack(project, config, async ({ stack }) => {
    await resetEmulatorRequests(env.emulator.url);
    const created = await stack.up();
    const model = created.outputs.model.value as { path: string; sha256: string };
    expect((created.outputs.held.value as Array<{ path: string }>).map((h) => h.path)).toEqual([model.path, model.path]);
    // Visible without exporting anything: a warning per wave on the up that holds (issue 17).
    for (const wave of ["census-rollout-canary", "census-rollout-wave-1"]) expect(created.stdout).toContain(`RolloutWave "${wave}" holds ${manifest.containers.models}/${model.path}`);
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PUT": 2 });
    const keys: string[] = created.outputs.endpointKeys.value;
    const apis: string[] = created.outputs.apiLocations.value;
    const serving = () => Promise.all(apis.map((api, k) => scoringModel(api, keys[k])));
    const before = await serving();
    expect(before.every((m) => m !== `${manifest.containers.models}/${model.path}`)).toBe(true);

    const events: EngineEvent[] = [];
    expect((await stack.preview({ onEvent: (e) => events.push(e) })).changeSummary).toMatchObject({ update: 2 });
    const waves = events.map((e) => e.resourcePreEvent?.metadata).filter((m) => m?.type.endsWith(":RolloutWave"));
    expect(waves.map((w) => [w!.urn.split("::").pop(), (w!.old?.inputs?.model as { path: string }).path, (w!.new?.inputs?.model as { path: string }).path])).toEqual([
      ["census-rollout-canary", before[0].replace(`${manifest.containers.models}/`, ""), model.path],
      ["census-rollout-wave-1", before[1].replace(`${manifest.containers.models}/`, ""), model.path],
    ]);

    await resetEmulatorRequests(env.emulator.url);
    const promoted = await stack.up();
    expect(promoted.stdout).not.toContain(" holds ");
    expect(await emulatorWrites(env.emulator.url)).toEqual({ "management PATCH": 2 });
    expect(await serving()).toEqual([boundPath(manifest.containers.models, model.sha256), boundPath(manifest.containers.models, model.sha256)]);
  });
});
