/**
 * `invoke` of the azureml-retrain provider plugin (issue 20): the functions a program in another language calls,
 * e.g. `fn::invoke` in Pulumi YAML. getLatestModelBlob is the one a single TrainedModelBinding needs for its model.
 *
 * A function's error is returned as a failure, not thrown: the SDK's provider server prints a thrown error with its
 * JavaScript stack, and the user should read the same one line a TypeScript program gets.
 */
import type * as pulumi from "@pulumi/pulumi";
import { getLatestModelBlob, GetLatestModelBlobArgs } from "../latestModel";
import { PACKAGE_NAME } from "./schema";

// The engine's wire marking of a secret value (acceptSecrets): `{ <sig key>: <secret sig>, value }`.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return plain(obj.value);
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
}

type Fn = (args: Record<string, unknown>) => Promise<Record<string, unknown>>;

const FUNCTIONS: Record<string, Fn> = {
  [`${PACKAGE_NAME}:index:getLatestModelBlob`]: async (args) => ({ model: await getLatestModelBlob(args as unknown as GetLatestModelBlobArgs) }),
};

export async function invoke(token: string, inputs: Record<string, unknown>): Promise<pulumi.provider.InvokeResult> {
  const fn = FUNCTIONS[token];
  if (!fn) return { failures: [{ property: "", reason: `unknown function ${token}: this provider has ${Object.keys(FUNCTIONS).join(", ")}` }] };
  try {
    return { outputs: await fn(plain(inputs) as Record<string, unknown>) };
  } catch (err) {
    return { failures: [{ property: "", reason: (err as Error).message }] };
  }
}
