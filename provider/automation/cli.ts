#!/usr/bin/env node
/**
 * azureml-retrain-update: proposes newer models as pins in a pull request (issue 17 item 2).
 *
 *   azureml-retrain-update --config model-updates.yaml [--cwd <repository>] [--skip-review]
 *
 * The config file names the stack, the storage account and each model source (see examples/gitops). The storage
 * key comes from the variable `storage.accountKeyEnv` names (default AZURE_STORAGE_KEY). With GITHUB_TOKEN (and
 * GITHUB_REPOSITORY, GITHUB_API_URL as GitHub Actions sets them, or `forge:` in the file) it opens or updates the
 * pull request; without a token it leaves the branch and prints what it would open. Exit 0 on success whatever
 * changed, 1 on failure, 64 on bad arguments or config.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { commandArgs } from "../cli/commandArgs";
import { parse as parseYaml } from "yaml";
import { renderMarkdown } from "../review/render";
import { reviewStack } from "../review/run";
import { ForgeOptions } from "./forge";
import { ModelSource, checkModelSource } from "./policy";
import { UpdateOptions, updateModelPins } from "./update";

const USAGE = "usage: azureml-retrain-update --config <model-updates.yaml> [--cwd <repository>] [--skip-review]";

interface UpdateFile {
  stack?: string;
  projectDir?: string;
  base?: string;
  branch?: string;
  remote?: string;
  storage?: { accountName?: string; blobEndpoint?: string; accountKeyEnv?: string };
  forge?: { repository?: string; apiUrl?: string; tokenEnv?: string };
  models?: Array<Partial<ModelSource>>;
}

class UsageError extends Error {}

/** Options from the file and the environment; every problem at once. */
export function updateOptions(file: UpdateFile, repoDir: string, env: NodeJS.ProcessEnv): Omit<UpdateOptions, "review"> {
  const problems: string[] = [];
  if (!file.stack) problems.push("stack: name the stack whose Pulumi.<stack>.yaml holds the pins");
  if (!file.storage?.accountName) problems.push("storage.accountName: name the storage account the models land in");
  const keyEnv = file.storage?.accountKeyEnv ?? "AZURE_STORAGE_KEY";
  if (!env[keyEnv]) problems.push(`${keyEnv}: set it to the storage account key (it is never printed)`);
  if (!Array.isArray(file.models) || file.models.length === 0) problems.push("models: list at least one model source { key, container, prefix, policy }");
  (file.models ?? []).forEach((m, k) => problems.push(...checkModelSource(m, `models[${k}]`)));
  if (problems.length > 0) throw new UsageError(`azureml-retrain-update: the config has problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const tokenEnv = file.forge?.tokenEnv ?? "GITHUB_TOKEN";
  const repository = file.forge?.repository ?? env.GITHUB_REPOSITORY;
  const forge: ForgeOptions | undefined = env[tokenEnv] && repository ? { apiUrl: file.forge?.apiUrl ?? env.GITHUB_API_URL ?? "https://api.github.com", repository, token: env[tokenEnv]! } : undefined;
  return {
    repoDir,
    stack: file.stack!,
    sources: file.models as ModelSource[],
    storage: { accountName: file.storage!.accountName!, blobEndpoint: file.storage!.blobEndpoint, accountKey: env[keyEnv] },
    ...(file.projectDir ? { projectDir: file.projectDir } : {}),
    ...(file.base ? { base: file.base } : {}),
    ...(file.branch ? { branch: file.branch } : {}),
    ...(file.remote ? { remote: file.remote } : {}),
    ...(forge ? { forge } : {}),
  };
}

async function main(): Promise<number> {
  const args = commandArgs(
    () => parseArgs({ args: process.argv.slice(2), options: { config: { type: "string" }, cwd: { type: "string" }, "skip-review": { type: "boolean" }, help: { type: "boolean", short: "h" } } }).values,
    USAGE,
  );
  if (typeof args === "number") return args;
  if (!args.config) {
    console.error(`--config is required\n${USAGE}`);
    return 64;
  }
  const repoDir = path.resolve(args.cwd ?? ".");
  let options;
  try {
    options = updateOptions((parseYaml(fs.readFileSync(path.resolve(repoDir, args.config), "utf8")) ?? {}) as UpdateFile, repoDir, process.env);
  } catch (err) {
    console.error(err instanceof UsageError ? err.message : `azureml-retrain-update: cannot read ${args.config}: ${(err as Error).message}`);
    return 64;
  }
  const stackName = options.stack;
  const review = args["skip-review"] ? undefined : async (workDir: string) => renderMarkdown(await reviewStack({ workDir, stackName }));
  const result = await updateModelPins({ ...options, ...(review ? { review } : {}) });
  for (const s of result.skipped) console.log(`${s.key}: no change (${s.reason})`);
  if (result.status === "up-to-date") console.log(`every pin of ${stackName} is what its policy wants: nothing to do`);
  else if (result.pullRequest) console.log(`pull request #${result.pullRequest.number} ${result.pullRequest.action}: ${result.pullRequest.url}`);
  else if (result.wouldOpen) {
    console.log(`branch ${result.branch} ${result.commit ? `at ${result.commit.slice(0, 12)}` : "unchanged"}; no forge token, so no pull request. It would open:`);
    console.log(`  ${result.wouldOpen.head} → ${result.wouldOpen.base}: ${result.wouldOpen.title}\n\n${result.wouldOpen.body}`);
  } else console.log(`branch ${result.branch} already proposes these pins: nothing to do`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`azureml-retrain-update failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
