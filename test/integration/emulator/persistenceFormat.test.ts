/**
 * The data dir's format (issue 21): state files are private, one emulator at a time owns a data dir, and a data dir
 * written by the emulator before the SQLite store (JSON files per aggregate; `fixtures/legacy-data-dir` was written
 * by that emulator: an added endpoint `legacy01` and a job not started) is migrated on first start.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { call, startTestEmulator, tableRequest } from "../../support/emulator";

const LEGACY = path.join(__dirname, "fixtures", "legacy-data-dir");
const mode = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

describe("the data dir's format", () => {
  const dirs: string[] = [];
  const freshDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azureml-emu-format-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps state in files only its user can read, and refuses a second emulator on the same data dir", async () => {
    const dataDir = freshDir();
    const first = await startTestEmulator({ inMemory: false, dataDir });
    try {
      const state = path.join(dataDir, "state");
      expect(mode(state)).toBe("700");
      // The database and its write-ahead log, which holds the latest writes until a checkpoint.
      expect(fs.readdirSync(state).sort()).toEqual(["emulator.db", "emulator.db-wal"]);
      expect(fs.readdirSync(state).map((f) => mode(path.join(state, f)))).toEqual(["600", "600"]);
      expect(fs.readdirSync(path.join(dataDir, "models")).map((f) => mode(path.join(dataDir, "models", f)))).toEqual(["600"]);
      await expect(startTestEmulator({ inMemory: false, dataDir })).rejects.toThrow(
        `Emulator state ${path.join(dataDir, "state", "emulator.db")} is in use by another emulator process: stop it, or give this one another --data-dir.`,
      );
      // The refused start changed nothing: the first emulator still answers.
      expect((await call("GET", `${first.url}/_emulator/health`)).status).toBe(200);
    } finally {
      await first.close();
    }
    // Closed, it releases the data dir.
    const again = await startTestEmulator({ inMemory: false, dataDir });
    await again.close();
  });

  it("migrates a data dir of JSON files into the database and removes the JSON files", async () => {
    const dataDir = freshDir();
    fs.cpSync(LEGACY, dataDir, { recursive: true });
    const legacy = (name: string) => JSON.parse(fs.readFileSync(path.join(LEGACY, "state", `${name}.json`), "utf8"));
    const workspace = legacy("classic").workspaces[0];
    const added = legacy("classic").endpoints.find((e: any) => e.name === "legacy01");
    const job = legacy("jobs")[0];

    const emulator = await startTestEmulator({ inMemory: false, dataDir });
    try {
      const m = emulator.m;
      expect(fs.readdirSync(path.join(dataDir, "state")).filter((f) => f.endsWith(".json"))).toEqual([]);
      expect(m.classic.workspaceId).toBe(workspace.id);
      expect(m.classic.workspaceToken).toBe(workspace.primaryToken);
      expect(m.arm.token).toBe(legacy("meta").armToken);
      expect(m.pipelines.pipelineEndpointId).toBe(legacy("pipelines").endpoints[0].id);

      const ep = await call("GET", `${m.classic.managementBaseUrl}/workspaces/${workspace.id}/webservices/${added.webServiceId}/endpoints/legacy01`, { token: workspace.primaryToken });
      expect(ep.status).toBe(200);
      expect(ep.body).toMatchObject({ Name: "legacy01", Description: "added before the SQLite store", PrimaryKey: added.primaryKey, SecondaryKey: added.secondaryKey, ThrottleLevel: "High", MaxConcurrentCalls: 12 });
      // Its key scores with the model it was created with, whose bytes the data dir's models/ folder holds.
      const scored = await call("POST", `${ep.body.ApiLocation}/execute?api-version=2.0&details=true`, { token: added.primaryKey, body: tableRequest() });
      expect(scored.status).toBe(200);
      expect(scored.headers.get("x-ms-azureml-model-location")).toBe(added.resources[0].model.location);

      const training = m.classic.trainingService;
      expect((await call("GET", `${training.apiLocation}/jobs/${job.id}?api-version=2.0`, { token: training.primaryKey })).body.StatusCode).toBe("NotStarted");
    } finally {
      await emulator.close();
    }

    // Migrated once: the next start reads the database alone.
    const again = await startTestEmulator({ inMemory: false, dataDir });
    try {
      expect(again.m.classic.workspaceToken).toBe(workspace.primaryToken);
    } finally {
      await again.close();
    }
  });
});
