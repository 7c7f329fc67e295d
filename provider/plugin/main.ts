/**
 * The `azureml-retrain` provider plugin (issue 20): what `bin/pulumi-resource-azureml-retrain` runs. It answers
 * `GetSchema` with schema.ts, `Construct` with components.ts and `Invoke` with functions.ts, through the SDK's provider server, so a program in
 * any language the engine hosts (Pulumi YAML here) can declare this package's components.
 *
 * Why an executable plugin and not a source-based package (`pulumi package add <folder>`): the engine starts a
 * source-based TypeScript package through the nodejs language host's `RunPlugin`, which the host this project can
 * build offline (sdk 3.68) does not have. An executable plugin needs no language host at all.
 */
import * as pulumi from "@pulumi/pulumi";
import { construct } from "./components";
import { invoke } from "./functions";
import { packageSchema } from "./schema";

// By package name (the package's exports include it): the same path from the source and from dist/.
const version: string = require("pulumi-azureml-retrain/package.json").version;

const provider: pulumi.provider.Provider = {
  version,
  getSchema: async () => JSON.stringify(packageSchema(version)),
  construct,
  invoke,
};

pulumi.provider.main(provider, process.argv.slice(2)).catch((err: Error) => {
  console.error(`pulumi-resource-azureml-retrain: ${err.message}`);
  process.exit(1);
});
