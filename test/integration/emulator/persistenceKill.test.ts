/**
 * Issue 21: the emulator process is SIGKILLed in the middle of a burst of writes (endpoint creates and PATCHes, 8 in
 * flight). Restarted on the same data dir, it has every write it acknowledged, and the data dir opens cleanly: no
 * write is half applied.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { call, startTestEmulator } from "../../support/emulator";
import { spawnEmulator } from "../../support/emulatorProcess";
import { testStorageConnectionString } from "../../support/storage";

const IN_FLIGHT = 8;
/** The kill comes once this many writes were acknowledged; the burst would go on well past it. */
const KILL_AFTER = 400;

interface Written {
  /** Descriptions sent, in order; a later one may have been applied without being acknowledged. */
  sent: string[];
  /** Index in `sent` of the last acknowledged one. */
  acknowledged: number;
  primaryKey?: string;
}

describe("a SIGKILL during a burst of writes", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "azureml-emu-kill-"));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("loses no acknowledged write and leaves a data dir that opens with whole records", async () => {
    const emulator = await spawnEmulator({ storageConnectionString: testStorageConnectionString(), dataDir, args: ["--seed-rows", "1500"] });
    const { classic } = emulator.manifest;
    const base = (url: string) => `${url}/workspaces/${classic.workspaceId}/webservices/${classic.predictiveService.id}/endpoints`;
    const token = classic.workspaceToken;
    const written = new Map<string, Written>();
    let acknowledgedWrites = 0;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;

    // Every third write updates an endpoint whose create was acknowledged (one writer per endpoint at a time); the
    // others create one.
    let next = 0;
    const busy = new Set<string>();
    const worker = async (): Promise<void> => {
      while (!killed) {
        const n = next++;
        const created = [...written].filter(([k, w]) => w.acknowledged >= 0 && !busy.has(k)).map(([k]) => k);
        const update = n % 3 === 2 && created.length > 0 ? created[n % created.length] : undefined;
        const name = update ?? `kill${n}`;
        const w = written.get(name) ?? { sent: [], acknowledged: -1 };
        if (!update) written.set(name, w);
        const description = `write ${n}`;
        const index = w.sent.push(description) - 1;
        inFlight++;
        busy.add(name);
        try {
          const res = update
            ? await call("PATCH", `${base(classic.managementBaseUrl)}/${name}`, { token, body: { Description: description } })
            : await call("PUT", `${base(classic.managementBaseUrl)}/${name}`, { token, body: { Description: description } });
          if (res.status !== 200) throw new Error(`${update ? "PATCH" : "PUT"} ${name} answered ${res.status}: ${res.text}`);
          w.acknowledged = Math.max(w.acknowledged, index);
          w.primaryKey ??= res.body.PrimaryKey;
          if (++acknowledgedWrites === KILL_AFTER) {
            inFlightAtKill = inFlight - 1;
            killed = true;
            emulator.child.kill("SIGKILL");
          }
        } catch (err) {
          if (!killed) throw err;
        } finally {
          inFlight--;
          busy.delete(name);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await emulator.stop();
    expect(emulator.child.signalCode).toBe("SIGKILL");
    // The kill landed inside the burst: other writes were on their way.
    expect(inFlightAtKill).toBeGreaterThan(0);

    const restarted = await startTestEmulator({ inMemory: false, dataDir });
    try {
      expect(restarted.m.classic.workspaceToken).toBe(token);
      const listed = await call("GET", base(restarted.m.classic.managementBaseUrl), { token });
      expect(listed.status).toBe(200);
      const found = new Map((listed.body as any[]).map((e) => [e.Name as string, e]));
      let checked = 0;
      for (const [name, w] of written) {
        if (w.acknowledged < 0) continue;
        checked++;
        const ep = found.get(name);
        expect({ name, present: ep !== undefined }).toEqual({ name, present: true });
        // The acknowledged description, or one sent after it (applied, but killed before its answer).
        expect({ name, kept: w.sent.indexOf(ep.Description) >= w.acknowledged }).toEqual({ name, kept: true });
        expect(ep.PrimaryKey).toBe(w.primaryKey);
      }
      expect(checked).toBeGreaterThan(KILL_AFTER / 2);
      // Nothing appears that was never sent.
      for (const name of found.keys()) if (name !== classic.predictiveService.defaultEndpointName) expect(written.has(name)).toBe(true);
    } finally {
      await restarted.close();
    }
  });
});
