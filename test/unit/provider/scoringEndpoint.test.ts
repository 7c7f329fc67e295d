import { checkScoringEndpoint, diffScoringEndpoint, ScoringEndpointInputs, ScoringEndpointState } from "../../../provider/lifecycle/scoringEndpoint";
import { UNKNOWN } from "../../../provider/validation";

const WS = "0123456789abcdef0123456789abcdef";
const SVC = "fedcba9876543210fedcba9876543210";
const good: Partial<ScoringEndpointInputs> = { workspaceId: WS, webServiceId: SVC, endpointName: "retrain01", workspaceToken: "tok" };

describe("checkScoringEndpoint", () => {
  test("good inputs: no failures, defaults filled", () => {
    const { inputs, failures } = checkScoringEndpoint(good);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ region: "ussouthcentral", managementBaseUrl: "https://management.azureml.net", defaultEndpointName: "default" });
  });

  test("trailing slashes are trimmed", () => {
    expect(checkScoringEndpoint({ ...good, managementBaseUrl: "http://127.0.0.1:7/management/ussouthcentral/" }).inputs.managementBaseUrl).toBe("http://127.0.0.1:7/management/ussouthcentral");
  });

  test.each([
    ["default endpoint", { endpointName: "default" }, [{ property: "endpointName", reason: '"default" is the default endpoint, which cannot be updated', fix: "Add an endpoint to the predictive web service (a ScoringEndpoint) and bind models to that one; re-publishing updates only the default endpoint (contract §1.1, E5)" }]],
    ["custom default endpoint name", { endpointName: "main", defaultEndpointName: "main" }, [{ property: "endpointName", reason: '"main" is the default endpoint, which cannot be updated' }]],
    ["bad name", { endpointName: "-Bad_Name-" }, [{ property: "endpointName", reason: 'endpoint name "-Bad_Name-" breaks the naming rule', fix: "Use at most 24 lowercase letters, digits and hyphens, not starting or ending with a hyphen (contract §1.4)" }]],
    ["too long", { endpointName: "a".repeat(25) }, [{ property: "endpointName", reason: `endpoint name "${"a".repeat(25)}" breaks the naming rule` }]],
    ["dashed workspace id", { workspaceId: "01234567-89ab-cdef-0123-456789abcdef" }, [{ property: "workspaceId", reason: 'workspaceId "01234567-89ab-cdef-0123-456789abcdef" is not a classic id', fix: "Give the workspace id as 32 lowercase hex characters without dashes (contract §1, E4)" }]],
    ["bad region", { region: "eastus2" }, [{ property: "region", reason: 'region "eastus2" is not a Studio (classic) region', fix: "Use one of ussouthcentral, europewest, asiasoutheast, japaneast, uswestcentral, germanycentral: the workspace's region (contract §1.2)" }]],
    ["bad throttle", { throttleLevel: "Medium" }, [{ property: "throttleLevel", reason: 'throttleLevel "Medium" is not one of Low, High', fix: "Use Low or High (contract §1.4)" }]],
    ["bad trace level", { diagnosticsTraceLevel: "Verbose" }, [{ property: "diagnosticsTraceLevel", reason: 'diagnosticsTraceLevel "Verbose" is not one of None, Error, All' }]],
    ["concurrency over the Low cap", { maxConcurrentCalls: 10 }, [{ property: "maxConcurrentCalls", reason: "maxConcurrentCalls 10 exceeds 4, the cap of throttleLevel Low", fix: 'Set throttleLevel to "High" or maxConcurrentCalls to 4 or less (contract §1.5 M5)' }]],
    ["concurrency out of range", { throttleLevel: "High", maxConcurrentCalls: 201 }, [{ property: "maxConcurrentCalls", reason: "maxConcurrentCalls 201 is out of range", fix: "Give an integer from 1 to 200 (contract §1.4)" }]],
    ["missing token", { workspaceToken: "" }, [{ property: "workspaceToken", reason: "workspaceToken is required" }]],
    ["bad URL", { managementBaseUrl: "ftp://x" }, [{ property: "managementBaseUrl", reason: 'managementBaseUrl "ftp://x" is not an http(s) URL without query string' }]],
  ] as Array<[string, Record<string, unknown>, unknown[]]>)("%s", (_name, patch, expected) => {
    const { failures } = checkScoringEndpoint({ ...good, ...patch } as Partial<ScoringEndpointInputs>);
    expect(failures).toEqual(expected.map((e) => expect.objectContaining(e as object)));
  });

  test("every failure is reported at once", () => {
    const { failures } = checkScoringEndpoint({ endpointName: "default", region: "mars", throttleLevel: "Low", maxConcurrentCalls: 0 } as never);
    expect(failures.map((f) => f.property)).toEqual(["workspaceId", "webServiceId", "endpointName", "workspaceToken", "region", "maxConcurrentCalls"]);
  });

  test("unknown values are decided later", () => {
    const { failures } = checkScoringEndpoint({ ...good, workspaceId: UNKNOWN, endpointName: UNKNOWN, workspaceToken: UNKNOWN, managementBaseUrl: UNKNOWN });
    expect(failures).toEqual([]);
  });
});

describe("diffScoringEndpoint", () => {
  const inputs = checkScoringEndpoint({ ...good, description: "d1" }).inputs;
  const state = { ...inputs, apiLocation: "x", patchUrl: "p", trainedModelResourceNames: [], adopted: false, __provider: "code" } as ScoringEndpointState;
  test("no-op ignores __provider and outputs", () => {
    expect(diffScoringEndpoint(state, { ...inputs, __provider: "other code" } as never)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
  test("settings update in place", () => {
    expect(diffScoringEndpoint(state, { ...inputs, description: "d2" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
  test("an unset setting is not a change", () => {
    expect(diffScoringEndpoint({ ...state, throttleLevel: "Low" }, inputs).changes).toBe(false);
  });
  test("identity replaces", () => {
    expect(diffScoringEndpoint(state, { ...inputs, endpointName: "other" })).toEqual({ changes: true, replaces: ["endpointName"], deleteBeforeReplace: true });
  });
});
