/**
 * The verification probe under transient faults (issue 18): with a deadline it retries 429s until the deadline,
 * never waits for a Retry-After that ends after it, and the binding's message blames the service, not the model.
 */
import { probeScoring } from "../../../provider/clients/rrs";
import { SAMPLE_ROW, usePromotionEmulator } from "../../support/promotion";

const env = usePromotionEmulator();
const setFaults = (faults: unknown) => fetch(`${env.emulator.url}/_emulator/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(faults) });
const scoringRequests = async () => (((await (await fetch(`${env.emulator.url}/_emulator/requests`)).json()) as Record<string, Record<string, number>>).rrs?.POST ?? 0);
const probe = (deadline?: number) => {
  const { apiLocation, primaryKey } = env.emulator.manifest.classic.predictiveService;
  return probeScoring(apiLocation, primaryKey, SAMPLE_ROW, "input1", { retryBaseDelayMs: 10, maxRetries: 1 }, deadline);
};

beforeEach(() => fetch(`${env.emulator.url}/_emulator/requests`, { method: "DELETE" }));
afterEach(() => setFaults({}));

test("without a deadline the transport's retry count applies; with one, 429s are retried past it until the deadline", async () => {
  await setFaults({ rrs: { throttleRate: 1, retryAfterSeconds: 1 } });
  await expect(probe()).rejects.toMatchObject({ status: 429 });
  expect(await scoringRequests()).toBe(2);

  await fetch(`${env.emulator.url}/_emulator/requests`, { method: "DELETE" });
  // Retry-After 1 s within a 3.5 s deadline: more attempts than maxRetries allows, each after the asked wait.
  await expect(probe(Date.now() + 3500)).rejects.toMatchObject({ status: 429 });
  const attempts = await scoringRequests();
  expect(attempts).toBeGreaterThanOrEqual(3);
  expect(attempts).toBeLessThanOrEqual(5);
});

test("a Retry-After that ends after the deadline ends the retries at once", async () => {
  await setFaults({ rrs: { throttleRate: 1, retryAfterSeconds: 60 } });
  await expect(probe(Date.now() + 5000)).rejects.toMatchObject({ status: 429 });
  expect(await scoringRequests()).toBe(1);
});

test("a fault that clears before the deadline: the probe succeeds", async () => {
  await setFaults({ rrs: { unavailableRate: 1 } });
  const answer = probe(Date.now() + 20_000);
  while ((await scoringRequests()) < 3) await new Promise((r) => setTimeout(r, 20));
  await setFaults({});
  expect((await answer).location).toBeDefined();
});
