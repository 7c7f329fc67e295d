/**
 * Runs after each test file's set-up (jest `setupFilesAfterEnv`): after every test and at the end of every file,
 * waits for what the test started (test/support/inFlight.ts), within jest's test timeout. Registered before the
 * file's own hooks, so it runs before them: a file's `afterAll` closes its emulator only after its stacks were
 * destroyed.
 */
import { settleInFlight } from "./inFlight";

afterEach(settleInFlight);
afterAll(settleInFlight);
