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
