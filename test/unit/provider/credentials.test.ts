import { configure, withCredentials, withCurrentCredentials } from "../../../provider/lifecycle/credentials";
import { diffTrainedModelBinding, storageProperty, targetProperty } from "../../../provider/lifecycle/trainedModelBinding";
import { diffScoringEndpoint } from "../../../provider/lifecycle/scoringEndpoint";
import { ServiceError } from "../../../provider/errors";

function config(values: Record<string, string>) {
  return { get: (k: string) => values[k.includes(":") ? k : `proj:${k}`] };
}

afterEach(() => configure({ config: config({}) }));

describe("credentials named in credentialConfig come from the current stack config", () => {
  test("a named key replaces the value from state; unnamed fields and missing keys keep theirs", () => {
    configure({ config: config({ "proj:workspaceToken": "new-token", "other:arm": "new-arm" }) });
    const state = { workspaceToken: "old-token", armToken: "old-arm", endpointKey: "ek", credentialConfig: { workspaceToken: "workspaceToken", armToken: "other:arm", scoringKey: "absent" } };
    expect(withCurrentCredentials(state)).toMatchObject({ workspaceToken: "new-token", armToken: "new-arm", endpointKey: "ek" });
    expect(withCurrentCredentials(state)).not.toHaveProperty("scoringKey");
  });

  test("read and delete receive the current credentials, not the stored ones", async () => {
    const seen: unknown[] = [];
    const p = withCredentials({
      async create() {
        return { id: "x" };
      },
      async read(id: string, props: unknown) {
        seen.push(props);
        return { id, props: props as object };
      },
      async delete(_id: string, props: unknown) {
        seen.push(props);
      },
    });
    await p.configure!({ config: config({ "proj:tok": "rotated" }) } as never);
    const stored = { workspaceToken: "expired", credentialConfig: { workspaceToken: "tok" } };
    await p.read!("id", stored);
    await p.delete!("id", stored);
    expect(seen).toEqual([
      { workspaceToken: "rotated", credentialConfig: { workspaceToken: "tok" } },
      { workspaceToken: "rotated", credentialConfig: { workspaceToken: "tok" } },
    ]);
  });
});

describe("credentials are not identity", () => {
  test("rotating only keys and tokens is no change", () => {
    const b = { targetKind: "classic", workspaceId: "a".repeat(32), webServiceId: "b".repeat(32), endpointName: "e1", region: "ussouthcentral", trainedModelName: "m", model: { container: "c", path: "p.ilearner", etag: "1", lastModified: "", size: 1 }, storageAccountName: "acct", workspaceToken: "t1", storageAccountKey: "k1", endpointKey: "e" } as never;
    expect(diffTrainedModelBinding(b, { ...(b as object), workspaceToken: "t2", storageAccountKey: "k2", endpointKey: "e2", armToken: "x" } as never).changes).toBe(false);
    const ep = { workspaceId: "a".repeat(32), webServiceId: "b".repeat(32), endpointName: "e1", region: "ussouthcentral", workspaceToken: "t1" } as never;
    expect(diffScoringEndpoint(ep, { ...(ep as object), workspaceToken: "t2" } as never).changes).toBe(false);
  });
});

describe("a failed preview read names the input to fix", () => {
  const err = (status: number | undefined, code: string) => new ServiceError({ status, code, serviceMessage: "m", method: "GET", url: "http://h/x", surface: "management" });
  test.each([
    [{ targetKind: "classic", workspaceToken: "t" }, err(401, "ManagementRequestUnauthorized"), "workspaceToken"],
    [{ targetKind: "classic", endpointKey: "k" }, err(401, "ManagementRequestUnauthorized"), "endpointKey"],
    [{ targetKind: "arm", armToken: "t" }, err(401, "ExpiredAuthenticationToken"), "armToken"],
    [{ targetKind: "classic", workspaceToken: "t" }, err(undefined, "ECONNREFUSED"), "managementBaseUrl"],
    [{ targetKind: "arm", armToken: "t" }, err(undefined, "ECONNREFUSED"), "armBaseUrl"],
    [{ targetKind: "classic", workspaceToken: "t" }, err(404, "WorkspaceNotFound"), "region"],
  ])("target %#", (inputs, e, property) => expect(targetProperty(inputs as never, e)).toBe(property));
  test.each([
    [{ storageAccountKey: "k" }, err(403, "AuthenticationFailed"), "storageAccountKey"],
    [{ storageAccountKey: "k" }, err(undefined, "ECONNREFUSED"), "storageBlobEndpoint"],
  ])("storage %#", (inputs, e, property) => expect(storageProperty(inputs as never, e)).toBe(property));
});
