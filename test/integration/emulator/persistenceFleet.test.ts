/**
 * Issue 21: an emulator with a data dir, restarted with a fleet of 1,000 added endpoints, keeps every endpoint with
 * its keys, settings and bound model, the services, the ids and tokens of its manifest, and a finished training job.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generateAdultCsv } from "../../../emulator/ml";
import { blobEndpoint, blobSas, call, pollUntil, putBlob, startTestEmulator, tableRequest, trainedModelBytes } from "../../support/emulator";

const FLEET = 1000;
const IN_FLIGHT = 8;

/** Runs `fn` over 0..n-1 with IN_FLIGHT calls at a time. */
async function inFlight(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < n) await fn(next++);
  }));
}

describe("persistence of a 1,000-endpoint fleet across a restart", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "azureml-emu-fleet-"));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every endpoint, key, setting and bound model, the services, the manifest's ids and tokens, and a finished job", async () => {
    const models = [
      await putBlob(trainedModelBytes(61), "fleet/a/model.ilearner"),
      await putBlob(trainedModelBytes(62, 0.8), "fleet/b/model.ilearner"),
    ];
    const names = Array.from({ length: FLEET }, (_, i) => `fleet${i}`);
    const first = await startTestEmulator({ inMemory: false, dataDir });
    const m1 = first.m;
    const ws = (url: string) => `${url}/workspaces/${m1.classic.workspaceId}`;
    const endpoints = (url: string) => `${ws(url)}/webservices/${m1.classic.predictiveService.id}/endpoints`;
    const token = m1.classic.workspaceToken;
    let before: { endpoints: any[]; services: any[]; job: any; armKeys: any; armOperation: any };
    let operationUrl: string;
    let jobId: string;
    try {
      await inFlight(FLEET, async (i) => {
        const body = i % 2 ? { Description: `customer ${i}`, ThrottleLevel: "High", MaxConcurrentCalls: 1 + (i % 200) } : { Description: `customer ${i}` };
        expect((await call("PUT", `${endpoints(m1.classic.managementBaseUrl)}/${names[i]}`, { token, body })).status).toBe(200);
      });
      await inFlight(FLEET, async (i) => {
        const location = models[i % 2];
        const Resources = [{ Name: m1.classic.predictiveService.trainedModelResourceName, Location: { BaseLocation: blobEndpoint(), RelativeLocation: location, SasBlobToken: blobSas(location) } }];
        expect((await call("PATCH", `${endpoints(m1.classic.managementBaseUrl)}/${names[i]}`, { token, body: { Resources } })).status).toBe(200);
      });

      const training = m1.classic.trainingService;
      const input = await putBlob(generateAdultCsv(300, 63), "fleet/train.csv");
      jobId = (await call("POST", `${training.apiLocation}/jobs?api-version=2.0`, {
        token: training.primaryKey,
        body: { Inputs: { input1: { ConnectionString: m1.storage.connectionString, RelativeLocation: input } }, GlobalParameters: {} },
      })).body;
      expect((await call("POST", `${training.apiLocation}/jobs/${jobId}/start?api-version=2.0`, { token: training.primaryKey })).status).toBe(204);
      const job = await pollUntil(() => call("GET", `${training.apiLocation}/jobs/${jobId}?api-version=2.0`, { token: training.primaryKey }), (r) => r.body.StatusCode === "Finished");

      // An ARM update leaves an async operation whose status URL the client may still poll after a restart.
      const updated = await call("PATCH", armServiceUrl(m1), { token: m1.arm.token, body: { tags: { fleet: "1000" } } });
      expect(updated.status).toBe(200);
      operationUrl = updated.headers.get("azure-asyncoperation")!;
      const operation = await pollUntil(() => call("GET", operationUrl, { token: m1.arm.token }), (r) => r.body.status === "Succeeded");

      before = {
        endpoints: (await call("GET", endpoints(m1.classic.managementBaseUrl), { token })).body,
        services: (await call("GET", `${ws(m1.classic.managementBaseUrl)}/webservices`, { token })).body,
        job: job.body,
        armKeys: (await call("GET", armServiceUrl(m1, "/listKeys"), { token: m1.arm.token })).body,
        armOperation: operation.body,
      };
      expect(before.endpoints).toHaveLength(FLEET + 1);
    } finally {
      await first.close();
    }

    const second = await startTestEmulator({ inMemory: false, dataDir });
    try {
      const m2 = second.m;
      // Only the listener's port may differ.
      const moved = <T>(value: T): T => JSON.parse(JSON.stringify(value).split(first.url).join(second.url)) as T;
      expect(m2).toEqual(moved(m1));
      const listed = await call("GET", endpoints(m2.classic.managementBaseUrl), { token });
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual(moved(before!.endpoints));
      expect((await call("GET", `${ws(m2.classic.managementBaseUrl)}/webservices`, { token })).body).toEqual(moved(before!.services));
      expect((await call("GET", armServiceUrl(m2, "/listKeys"), { token: m2.arm.token })).body).toEqual(before!.armKeys);
      expect((await call("GET", moved(operationUrl!), { token: m2.arm.token })).body).toEqual(before!.armOperation);
      const training = m2.classic.trainingService;
      // Result SAS tokens are minted fresh on every GET; the rest of the finished job must be as it was.
      const job = (await call("GET", `${training.apiLocation}/jobs/${jobId!}?api-version=2.0`, { token: training.primaryKey })).body;
      expect(withoutSas(job)).toEqual(withoutSas(moved(before!.job)));
      expect(Object.keys(job.Results)).toEqual(["output1", "output2"]);

      // Every endpoint's keys still authenticate, and each scores with the model bound to it.
      const byName = new Map((listed.body as any[]).map((e) => [e.Name, e]));
      const servedBy: string[] = new Array(FLEET);
      await inFlight(FLEET, async (i) => {
        const ep = byName.get(names[i]);
        const key = i % 3 ? ep.PrimaryKey : ep.SecondaryKey;
        const scored = await call("POST", `${ep.ApiLocation}/execute?api-version=2.0&details=true`, { token: key, body: tableRequest() });
        servedBy[i] = scored.status === 200 ? String(scored.headers.get("x-ms-azureml-model-location")) : `status ${scored.status}`;
      });
      expect(servedBy).toEqual(names.map((_, i) => models[i % 2]));
    } finally {
      await second.close();
    }
  });
});

function withoutSas(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (k, v) => (k === "SasBlobToken" ? undefined : v));
}

/** The seeded ARM web service's URL (or one of its actions'), with the api-version. */
function armServiceUrl(m: { arm: { baseUrl: string; subscriptionId: string; resourceGroup: string; webServiceName: string } }, action = ""): string {
  const { arm } = m;
  return `${arm.baseUrl}/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.MachineLearning/webServices/${arm.webServiceName}${action}?api-version=2017-01-01`;
}
