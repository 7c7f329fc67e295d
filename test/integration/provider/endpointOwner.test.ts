/**
 * The owner marker (issue 11) against the emulator: an endpoint this stack's resource created is taken over by its
 * next create (a crash lost the first one's answer) with no PUT, and destroy deletes it; an unmarked endpoint or one
 * marked by another stack is refused at preview and at create. The marker never shows in state.
 */
import { requestLog, resetRequestLog } from "../../../provider/transport";
import { scoringEndpointProvider, ScoringEndpointInputs, ScoringEndpointState } from "../../../provider/lifecycle/scoringEndpoint";
import { stripOwner, withOwner } from "../../../provider/lifecycle/endpointOwner";
import { call, useEmulator } from "../../support/emulator";
import { uniqueName } from "../../support/storage";

const emulator = useEmulator();
const FAST = { retryBaseDelayMs: 10, maxRetries: 2, timeoutSeconds: 10 };
const p = scoringEndpointProvider;

function inputs(name: string, extra: Partial<ScoringEndpointInputs> = {}): Partial<ScoringEndpointInputs> {
  const { classic } = emulator.current.m;
  return {
    resourceName: "scoring",
    owner: "retrain/prod",
    workspaceId: classic.workspaceId,
    webServiceId: classic.predictiveService.id,
    endpointName: name,
    workspaceToken: classic.workspaceToken,
    region: classic.region,
    managementBaseUrl: classic.managementBaseUrl,
    http: FAST,
    ...extra,
  };
}

const writes = () => requestLog().filter((e) => e.method !== "GET" && e.method !== "HEAD").map((e) => e.method);

/** The endpoint as the service holds it (Description with the marker). */
async function onService(name: string): Promise<{ status: number; description?: string }> {
  const { classic } = emulator.current.m;
  const res = await call("GET", `${classic.managementBaseUrl}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints/${name}`, { token: classic.workspaceToken });
  return { status: res.status, description: res.body?.Description };
}

async function create(news: Partial<ScoringEndpointInputs>): Promise<ScoringEndpointState> {
  const checked = await p.check!({} as never, news as never);
  expect(checked.failures).toEqual([]);
  return (await p.create!(checked.inputs as ScoringEndpointInputs)).outs as ScoringEndpointState;
}

test("marker text: appended to the user's description, stripped back, resource names encoded", () => {
  expect(withOwner("Census scoring", "retrain/prod/scoring")).toBe("Census scoring [pulumi:retrain/prod/scoring]");
  expect(withOwner(undefined, "retrain/prod/scoring")).toBe("[pulumi:retrain/prod/scoring]");
  expect(withOwner("text [pulumi:old/stack/x]", "retrain/prod/scoring")).toBe("text [pulumi:retrain/prod/scoring]");
  expect(stripOwner("Census scoring [pulumi:retrain/prod/my%20ep%5D]")).toEqual({ description: "Census scoring", owner: "retrain/prod/my%20ep%5D" });
  expect(stripOwner("no marker [pulumi:x] here")).toEqual({ description: "no marker [pulumi:x] here" });
});

test("create writes the marker; state and refresh show only the user's description", async () => {
  const name = uniqueName("own");
  const state = await create(inputs(name, { description: "Census scoring" }));
  expect((await onService(name)).description).toBe("Census scoring [pulumi:retrain/prod/scoring]");
  expect(state.description).toBe("Census scoring");
  expect(((await p.read!(name, state)).props as ScoringEndpointState).description).toBe("Census scoring");

  // A description update keeps the marker.
  const next = (await p.check!(state as never, inputs(name, { description: "second" }) as never)).inputs as ScoringEndpointInputs;
  const updated = (await p.update!(name, state, next)).outs as ScoringEndpointState;
  expect((await onService(name)).description).toBe("second [pulumi:retrain/prod/scoring]");
  await p.delete!(name, updated);
});

test("after a lost create, the same resource takes its endpoint over without a PUT, and destroy deletes it", async () => {
  const name = uniqueName("own");
  const first = await create(inputs(name, { description: "d" }));

  // The crashed run's create is forgotten: the same resource is created again.
  resetRequestLog();
  const again = await create(inputs(name, { description: "d" }));
  expect(writes()).toEqual([]);
  expect(again).toMatchObject({ adopted: false, primaryKey: first.primaryKey, description: "d" });

  // A setting the crashed create had not applied yet is PATCHed, keeping the marker.
  resetRequestLog();
  const settled = await create(inputs(name, { description: "d", diagnosticsTraceLevel: "Error" }));
  expect(writes()).toEqual(["PATCH"]);
  expect(settled.diagnosticsTraceLevel).toBe("Error");
  expect((await onService(name)).description).toBe("d [pulumi:retrain/prod/scoring]");

  await p.delete!(name, settled);
  expect((await onService(name)).status).toBe(404);
});

test("adopt: true on an endpoint this stack created keeps it ours: destroy deletes it", async () => {
  const name = uniqueName("own");
  await create(inputs(name));
  const adopted = await create(inputs(name, { adopt: true }));
  expect(adopted.adopted).toBe(false);
  await p.delete!(name, adopted);
  expect((await onService(name)).status).toBe(404);
});

test.each([
  ["without a marker", { owner: undefined }, /already exists on web service [0-9a-f]{32}\. Set adopt: true/],
  ["marked by another stack", { owner: "retrain/staging" }, /already exists on web service [0-9a-f]{32} \(created by Pulumi stack retrain\/staging, resource "scoring"\)\. Set adopt: true/],
  ["marked by another resource of this stack", { owner: "retrain/prod", resourceName: "other scoring" }, /\(created by Pulumi stack retrain\/prod, resource "other scoring"\)/],
])("an endpoint %s is refused at preview and at create, with zero writes", async (_label, creator, message) => {
  const name = uniqueName("own");
  const theirs = await create(inputs(name, creator));
  resetRequestLog();
  const refused = await p.check!({} as never, inputs(name) as never);
  expect(refused.failures).toEqual([{ property: "endpointName", reason: expect.stringMatching(message) }]);
  // Created between preview and apply: create refuses too, instead of PUTting over it.
  await expect(p.create!({ ...(refused.inputs as ScoringEndpointInputs) })).rejects.toThrow(message);
  expect(writes()).toEqual([]);
  await p.delete!(name, theirs);
});

test("the marker counts against the service's 2000 characters", async () => {
  const { failures } = await p.check!({} as never, inputs(uniqueName("own"), { description: "x".repeat(1990) }) as never);
  expect(failures).toEqual([{ property: "description", reason: expect.stringMatching(/^description has 1990 characters\. Keep it to 1970 characters: the service takes 2000 \(contract §1\.4\), and the provider appends its 30-character owner marker\.$/) }]);
});
