/**
 * azureml-retrain-update without a forge (provider/automation/update.ts), on Azurite and a throwaway git
 * repository: a newer model becomes a commit on the update branch that changes only the pin, the run says what
 * pull request it would open, the checkout is left where it was; a second run changes nothing. Bad config is
 * refused field by field before any read.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BlobServiceClient } from "@azure/storage-blob";
import { updateOptions } from "../../../../provider/automation/cli";
import { updateModelPins } from "../../../../provider/automation/update";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from "../../../../scripts/services/azurite";
import { testStorageConnectionString, uniqueName } from "../../../support/storage";

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" };
let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env: GIT_ENV, encoding: "utf8" }).trim();

afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

test("a newer model: one commit on the update branch changing only the pin; a second run changes nothing", async () => {
  const service = BlobServiceClient.fromConnectionString(testStorageConnectionString());
  const containerName = uniqueName("models");
  const container = service.getContainerClient(containerName);
  await container.create();
  const put = async (p: string, text: string) => container.getBlockBlobClient(p).upload(text, Buffer.byteLength(text));
  await put("census/runs/1/model.ilearner", "model one");
  await put("census/runs/2/model.ilearner", "model two");
  const sha = (text: string) => createHash("sha256").update(text).digest("hex");
  // The run's manifest names the bytes it evaluated (issue 16): only through it do the metrics count.
  await put("census/runs/2/model.ilearner.manifest.json", JSON.stringify({ version: 1, sha256: sha("model two"), metrics: { auc: 0.9, accuracy: 0.8, precision: 0.7, recall: 0.6, f1: 0.65 }, producedBy: "test run 2" }));
  await put("census/runs/2/evaluation.csv", "True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Rows\n1,1,1,1,a,b,0.8,0.7,0.6,0.65,0.9,0.4,4\n");

  repo = fs.mkdtempSync(path.join(os.tmpdir(), "update-"));
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(repo, "Pulumi.yaml"), "name: census\nruntime: nodejs\n");
  const stackYaml = `config:\n  # written by azureml-retrain-update\n  census:model:\n    container: ${containerName}\n    path: census/runs/1/model.ilearner\n    sha256: ${sha("model one")}\n  census:token:\n    secure: v1:abc\n`;
  fs.writeFileSync(path.join(repo, "Pulumi.prod.yaml"), stackYaml);
  git("add", "-A");
  git("commit", "-q", "-m", "initial");

  const options = {
    repoDir: repo,
    stack: "prod",
    sources: [{ key: "model", container: containerName, prefix: "census/", policy: "run-id" as const }],
    storage: { accountName: AZURITE_ACCOUNT_NAME, blobEndpoint: process.env.TEST_BLOB_ENDPOINT, accountKey: AZURITE_ACCOUNT_KEY },
  };
  const first = await updateModelPins(options);
  expect(first).toMatchObject({ status: "updated", branch: "model-updates/prod", changes: [{ key: "model", new: { path: "census/runs/2/model.ilearner", sha256: sha("model two"), metrics: { auc: 0.9 } }, reason: "highest run id 2" }] });
  expect(first.wouldOpen).toMatchObject({ head: "model-updates/prod", base: "main", title: `Pin model of prod to census/runs/2/model.ilearner (sha256 ${sha("model two").slice(0, 12)})` });
  expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  expect(git("show", "model-updates/prod:Pulumi.prod.yaml")).toBe(stackYaml.replace("runs/1/", "runs/2/").replace(sha("model one"), sha("model two")).trim());
  expect(git("rev-list", "--count", "main..model-updates/prod")).toBe("1");

  const second = await updateModelPins(options);
  expect(second.status).toBe("unchanged");
  expect(git("rev-parse", "model-updates/prod")).toBe(first.commit);
  await container.delete();
});

test("bad config is refused field by field, and the key is never echoed", () => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "update-"));
  expect(() => updateOptions({ models: [{ key: "model", policy: "latest" as never }] }, repo, {})).toThrow(
    [
      "azureml-retrain-update: the config has problems:",
      "  - stack: name the stack whose Pulumi.<stack>.yaml holds the pins",
      "  - storage.accountName: name the storage account the models land in",
      "  - AZURE_STORAGE_KEY: set it to the storage account key (it is never printed)",
      "  - models[0].container: give the container the models land in",
      '  - models[0].policy: "latest" is not a policy: use newest, run-id, gate',
    ].join("\n"),
  );
});
