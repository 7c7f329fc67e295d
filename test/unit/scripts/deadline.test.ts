/** Start-up waits (scripts/services/deadline.ts): readiness, an early stop when the process died, the override. */
import { deadlineMs, loadFactor, waitUntilReady } from "../../../scripts/services/deadline";

const ENV = "DEADLINE_TEST_TIMEOUT_MS";

afterEach(() => {
  delete process.env[ENV];
});

describe("waitUntilReady", () => {
  it("returns once the check holds", async () => {
    let polls = 0;
    await waitUntilReady(async () => ++polls === 3, { what: "x", baseMs: 60_000, overrideEnv: ENV, intervalMs: 1 });
    expect(polls).toBe(3);
  });

  it("stops at once with the failure's reason", async () => {
    await expect(waitUntilReady(async () => false, { what: "Azurite on 127.0.0.1:1", baseMs: 60_000, overrideEnv: ENV, failure: () => "exited during start-up" })).rejects.toThrow(
      "Azurite on 127.0.0.1:1: exited during start-up",
    );
  });

  it("gives up after the deadline set in the environment, naming the variable", async () => {
    process.env[ENV] = "5";
    await expect(waitUntilReady(async () => false, { what: "the thing", baseMs: 60_000, overrideEnv: ENV, intervalMs: 1 })).rejects.toThrow(
      new RegExp(`^the thing was not ready within 5 ms \\(load [0-9.]+; set ${ENV} to wait longer\\)$`),
    );
  });
});

describe("deadlineMs", () => {
  it("is the base stretched by the load per core, at least the base; an override replaces it", () => {
    expect(loadFactor()).toBeGreaterThanOrEqual(1);
    expect(deadlineMs({ baseMs: 1000, overrideEnv: ENV })).toBeGreaterThanOrEqual(1000);
    process.env[ENV] = "250";
    expect(deadlineMs({ baseMs: 1000, overrideEnv: ENV })).toBe(250);
    process.env[ENV] = "not a number";
    expect(deadlineMs({ baseMs: 1000, overrideEnv: ENV })).toBeGreaterThanOrEqual(1000);
  });
});
