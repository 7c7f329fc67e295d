/** The package schema the provider plugin answers GetSchema with (provider/plugin/schema.ts, issue 20). */
import { packageSchema } from "../../../../provider/plugin/schema";

const schema = packageSchema("0.1.0") as { resources: Record<string, any>; types: Record<string, any>; functions: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every property spec in the schema, with where it is. */
function properties(): Array<[string, any]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Array<[string, any]> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const add = (where: string, props: Record<string, unknown> = {}) => Object.entries(props).forEach(([k, v]) => out.push([`${where}.${k}`, v]));
  for (const [token, r] of Object.entries(schema.resources)) { add(`${token} input`, r.inputProperties); add(`${token} output`, r.properties); }
  for (const [token, t] of Object.entries(schema.types)) add(token, t.properties);
  for (const [token, f] of Object.entries(schema.functions)) { add(`${token} input`, f.inputs.properties); add(`${token} output`, f.outputs.properties); }
  return out;
}

test("the components and the function a YAML user needs are there, as components", () => {
  expect(Object.keys(schema.resources).sort()).toEqual(["ModelRollout", "RetrainAndPromote", "ScoringEndpoint", "TrainedModelBinding"].map((n) => `azureml-retrain:index:${n}`));
  for (const r of Object.values(schema.resources)) expect(r.isComponent).toBe(true);
  expect(Object.keys(schema.functions)).toEqual(["azureml-retrain:index:getLatestModelBlob"]);
});

test("every type reference resolves, and every required property is declared", () => {
  const refs = JSON.stringify(schema).match(/#\/types\/[^"]+/g) ?? [];
  for (const ref of refs) expect({ ref, known: ref.slice("#/types/".length) in schema.types }).toEqual({ ref, known: true });
  for (const [token, r] of Object.entries(schema.resources)) {
    for (const k of r.requiredInputs) expect({ token, k, declared: k in r.inputProperties }).toEqual({ token, k, declared: true });
    for (const k of r.required) expect({ token, k, declared: k in r.properties }).toEqual({ token, k, declared: true });
  }
});

test("every credential is secret wherever it appears", () => {
  const credentials = /^(apiKey|workspaceToken|armToken|storageAccountKey|endpointKey|scoringKey|primaryKey)$/;
  const found = properties().filter(([where]) => credentials.test(where.split(".").pop()!));
  expect(found.length).toBeGreaterThan(10);
  for (const [where, spec] of found) expect({ where, secret: spec.secret }).toEqual({ where, secret: true });
});
