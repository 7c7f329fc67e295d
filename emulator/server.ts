/**
 * The emulator as a program: parse config (env + flags), start, print where the manifest is, stop on SIGINT/SIGTERM.
 * `npm run emulator` and `bin/azureml-emulator.js` run this.
 */
import { ConfigError, parseConfig } from "./config";
import { startEmulator } from "./index";

async function main(): Promise<void> {
  let options;
  try {
    options = parseConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const emulator = await startEmulator(options);
  process.stdout.write(`Azure ML Studio (classic) emulator listening on ${emulator.url}\n`);
  process.stdout.write(emulator.manifestPath ? `Manifest: ${emulator.manifestPath}\n` : `Manifest (in memory):\n${JSON.stringify(emulator.manifest, null, 2)}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the emulator and Azurite\n`);
    emulator.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err) => {
  process.stderr.write(`emulator failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
