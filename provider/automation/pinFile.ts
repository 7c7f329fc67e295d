/**
 * Reading and writing model pins in `Pulumi.<stack>.yaml` (issue 17 item 2). The file is edited as a YAML
 * document (the `yaml` package), so comments, key order and every other value, the encrypted `secure:` ones
 * included, stay as they were: the pull request's diff is the pin and nothing else.
 */
import { isMap, parseDocument } from "yaml";
import type { ModelPin } from "../pinnedModel";

/** `model` → `<project>:model`; a key that already names its namespace is kept. */
export function configKey(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** The pin under `key`, or undefined when the file has none (or not an object there). */
export function readPin(text: string, project: string, key: string): Partial<ModelPin> | undefined {
  const doc = parseDocument(text);
  const value = doc.getIn(["config", configKey(project, key)]);
  if (!isMap(value)) return undefined;
  return value.toJSON() as Partial<ModelPin>;
}

/** The file with the pin under `key` set to `pin`; the rest of the text as it was. */
export function writePin(text: string, project: string, key: string, pin: ModelPin): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`stack config is not valid YAML: ${doc.errors[0].message}`);
  const full = configKey(project, key);
  for (const field of ["container", "path", "sha256"] as const) doc.setIn(["config", full, field], pin[field]);
  return doc.toString();
}

/** The project name from Pulumi.yaml's `name`. */
export function projectName(pulumiYaml: string): string {
  const name = parseDocument(pulumiYaml).get("name");
  if (typeof name !== "string" || !name) throw new Error("Pulumi.yaml has no project name");
  return name;
}

export function samePin(a: Partial<ModelPin> | undefined, b: ModelPin): boolean {
  return !!a && a.container === b.container && a.path === b.path && a.sha256 === b.sha256;
}
