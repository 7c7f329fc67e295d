/**
 * The READMEs' examples run as written (issue 18): every TypeScript block marked with a `<!-- runs-as-written …,
 * config: <keys> -->` comment right before its fence is copied unchanged into a Pulumi project and run through the
 * real engine against the emulator, with exactly the listed config keys (from the emulator's manifest): `up`, then
 * what serves is checked, then `destroy` leaves none of its endpoints.
 */
import * as fs from "fs";
import * as path from "path";
import axios from "axios";
import { BlobServiceClient } from "@azure/storage-blob";
import { generateAdultCsv } from "../../emulator/ml";
import { configFromManifest } from "../../examples/local/manifestConfig";
import { withStack } from "../support/pulumi";
import { boundPath, scoringModel, usePromotionEmulator } from "../support/promotion";
import { uniqueName } from "../support/storage";

const env = usePromotionEmulator();
const repo = path.join(__dirname, "..", "..");

interface Example { file: string; line: number; config: string[]; code: string }

/** The marked blocks of a Markdown file, with the config keys their marker names. */
function markedExamples(file: string): Example[] {
  const text = fs.readFileSync(path.join(repo, file), "utf8");
  const out: Example[] = [];
  for (const m of text.matchAll(/^<!-- runs-as-written[^\n]*?config: ([^\n]*?) -->\n```ts\n([\s\S]*?)^```/gm)) {
    out.push({ file, line: text.slice(0, m.index).split("\n").length, config: m[1].trim().split(/\s+/), code: m[2] });
  }
  return out;
}

const examples = ["README.md", "provider/README.md"].flatMap(markedExamples);

test("the READMEs mark their whole programs to run", () => {
  expect(examples.map((e) => e.file).sort()).toEqual(["README.md", "README.md", "provider/README.md"]);
});

test.each(examples.map((e) => [`${e.file}:${e.line}`, e] as const))("the example at %s runs as written: up binds what state says, destroy removes it", async (_where, example) => {
  const { manifest } = env.emulator;
  const datasetPath = `${uniqueName("readme")}/latest.csv`;
  const all = configFromManifest(manifest, datasetPath);
  const config = Object.fromEntries(example.config.map((k) => {
    if (!all[k]) throw new Error(`${example.file}:${example.line}: config key ${k} has no value from the emulator manifest`);
    return [k, all[k]];
  }));
  const trains = example.config.includes("datasetPath");
  // A training example trains on new data (and, reviewed, holds what it trained); the others bind the newest model
  // under models/census/.
  const model = trains ? undefined : await env.models.upload("census/", uniqueName("readme"), 1);
  if (trains) {
    const csv = generateAdultCsv(2000, 3);
    await BlobServiceClient.fromConnectionString(manifest.storage.connectionString).getContainerClient(manifest.containers.training).getBlockBlobClient(datasetPath).upload(csv, csv.length);
  }
  // Inside the repository, so the example's imports resolve to this package and its @pulumi/pulumi.
  const dir = fs.mkdtempSync(path.join(__dirname, "fixtures", ".readme-"));
  try {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: readme-example\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "readme-example", private: true, main: "index.ts" }));
    fs.writeFileSync(path.join(dir, "index.ts"), example.code);
    await withStack(dir, config, async ({ stack }) => {
      // As a user runs them: preview (what "reviewed", the default, promotes), then up.
      await stack.preview();
      await stack.up();
      const resources = (await stack.exportStack()).deployment.resources as Array<{ type: string; outputs?: Record<string, any> }>;
      const endpoints = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/azureml:ScoringEndpoint");
      expect(endpoints.length).toBeGreaterThan(0);
      for (const e of endpoints) {
        const served = await scoringModel(plain(e.outputs!.apiLocation), plain(e.outputs!.primaryKey));
        // What state says each endpoint serves is what it serves.
        expect(recordedServing(resources, e.outputs!.endpointName)).toContain(served);
        if (model) expect(served).toBe(boundPath(manifest.containers.models, model.sha256));
      }
      await stack.destroy();
      for (const e of endpoints) expect(await endpointExists(e.outputs!.endpointName)).toBe(false);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Where the stack's state says an endpoint's model is: a binding's `boundLocation`, or a rollout wave's record for
 * the target (its model's path, or the content-addressed copy of its bytes).
 */
function recordedServing(resources: Array<{ type: string; outputs?: Record<string, any> }>, endpointName: string): string[] {
  const out: string[] = [];
  for (const r of resources) {
    const o = r.outputs ?? {};
    if (r.type.endsWith(":TrainedModelBinding") && o.endpointName === endpointName && o.boundLocation) out.push(o.boundLocation);
    if (!r.type.endsWith(":RolloutWave")) continue;
    for (const b of (o.bound ?? []) as Array<{ key: string; model: { container: string; path: string; sha256?: string } }>) {
      if (!b.key.split("/").includes(endpointName)) continue;
      out.push(`${b.model.container}/${b.model.path}`);
      if (b.model.sha256) out.push(boundPath(b.model.container, b.model.sha256));
    }
  }
  return out;
}

/** A value from exportStack(): secrets come as `{ <sig>, plaintext: <JSON> }`. */
const plain = (v: any): string => (v && typeof v === "object" && "plaintext" in v ? JSON.parse(v.plaintext) : v);

async function endpointExists(name: string): Promise<boolean> {
  const { classic } = env.emulator.manifest;
  const res = await axios.get(`${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints/${name}`, { headers: { Authorization: `Bearer ${classic.workspaceToken}` }, validateStatus: () => true });
  return res.status === 200;
}
