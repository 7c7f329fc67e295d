/** State on disk: an emulator restarted on the same dataDir keeps services, endpoints and bindings; running jobs fail. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { blobEndpoint, blobSas, call, putBlob, startTestEmulator, tableRequest, trainedModelBytes, uniqueName } from "../../support/emulator";
import { generateAdultCsv } from "../../../emulator/ml";

const LOCATION = "x-ms-azureml-model-location";

describe("persistence across restarts", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "azureml-emu-persist-"));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps services, an added endpoint and its model binding; fails a job left Running", async () => {
    // A long job run keeps the started job Running until the emulator closes.
    const first = await startTestEmulator({ inMemory: false, dataDir, jobRunMs: 600_000 });
    let m = first.m;
    const predictive = `${m.classic.managementBaseUrl}/workspaces/${m.classic.workspaceId}/webservices/${m.classic.predictiveService.id}`;
    const epName = uniqueName("ep");
    const location = await putBlob(trainedModelBytes(51, 0.9), "census/2019-03-04/model.ilearner");
    const training = m.classic.trainingService;
    let jobId: string;
    let ep: any;
    let etag: string | null;
    try {
      expect(first.manifestPath).toBe(path.join(dataDir, "manifest.json"));
      const added = await call("PUT", `${predictive}/endpoints/${epName}`, {
        token: m.classic.workspaceToken,
        body: { Description: "Scoring endpoint for customer 042", ThrottleLevel: "High", MaxConcurrentCalls: 20 },
      });
      expect(added.status).toBe(200);
      ep = added.body;
      const patched = await call("PATCH", `${predictive}/endpoints/${epName}`, {
        token: m.classic.workspaceToken,
        body: { Resources: [{ Name: m.classic.predictiveService.trainedModelResourceName, Location: { BaseLocation: blobEndpoint(), RelativeLocation: location, SasBlobToken: blobSas(location) } }] },
      });
      expect(patched.status).toBe(200);
      const scored = await call("POST", `${ep.ApiLocation}/execute?api-version=2.0&details=true`, { token: ep.PrimaryKey, body: tableRequest() });
      expect(scored.headers.get(LOCATION)).toBe(location);
      etag = scored.headers.get("x-ms-azureml-model-etag");

      const input = await putBlob(generateAdultCsv(300, 52), "census/2019-03-04.csv");
      const submitted = await call("POST", `${training.apiLocation}/jobs?api-version=2.0`, {
        token: training.primaryKey,
        body: { Inputs: { input1: { ConnectionString: m.storage.connectionString, RelativeLocation: input } }, GlobalParameters: {} },
      });
      expect(submitted.status).toBe(200);
      jobId = submitted.body;
      expect((await call("POST", `${training.apiLocation}/jobs/${jobId}/start?api-version=2.0`, { token: training.primaryKey })).status).toBe(204);
      expect((await call("GET", `${training.apiLocation}/jobs/${jobId}?api-version=2.0`, { token: training.primaryKey })).body.StatusCode).toBe("Running");
    } finally {
      await first.close();
    }

    const second = await startTestEmulator({ inMemory: false, dataDir });
    try {
      m = second.m;
      expect(m.classic.workspaceId).toBe(first.m.classic.workspaceId);
      expect(m.classic.predictiveService.id).toBe(first.m.classic.predictiveService.id);
      const base = `${m.classic.managementBaseUrl}/workspaces/${m.classic.workspaceId}`;
      const services = await call("GET", `${base}/webservices`, { token: m.classic.workspaceToken });
      expect(services.status).toBe(200);
      expect(services.body.map((s: any) => s.Name).sort()).toEqual(["Census Model", "Census Model [Predictive Exp.]"]);

      const got = await call("GET", `${base}/webservices/${m.classic.predictiveService.id}/endpoints/${epName}`, { token: m.classic.workspaceToken });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ Name: epName, PrimaryKey: ep.PrimaryKey, SecondaryKey: ep.SecondaryKey, MaxConcurrentCalls: 20, ThrottleLevel: "High" });
      expect(got.body.Resources[0].Location.RelativeLocation).toBe(location);
      // The ApiLocation moves with the new port; its path stays the same.
      expect(new URL(got.body.ApiLocation).pathname).toBe(new URL(ep.ApiLocation).pathname);

      const scored = await call("POST", `${got.body.ApiLocation}/execute?api-version=2.0&details=true`, { token: ep.PrimaryKey, body: tableRequest() });
      expect(scored.status).toBe(200);
      expect(scored.headers.get(LOCATION)).toBe(location);
      expect(scored.headers.get("x-ms-azureml-model-etag")).toBe(etag);

      const job = await call("GET", `${m.classic.trainingService.apiLocation}/jobs/${jobId!}?api-version=2.0`, { token: m.classic.trainingService.primaryKey });
      expect(job.status).toBe(200);
      expect(job.body).toEqual({ StatusCode: "Failed", Results: null, Details: "The emulator restarted while the job was running; submit it again." });
    } finally {
      await second.close();
    }
  });
});
