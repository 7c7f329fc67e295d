/** The Azurite started by the jest global setup, as the tests see it. */
export function testStorageConnectionString(): string {
  const value = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (!value) throw new Error("TEST_STORAGE_CONNECTION_STRING is not set: run tests through jest (npm test), whose global setup starts Azurite");
  return value;
}

let counter = 0;
/** A name no other test uses: lowercase letters, digits and hyphens (valid for containers and endpoints). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${counter}`.toLowerCase().slice(0, 24).replace(/-$/, "0");
}
