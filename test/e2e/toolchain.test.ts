/** The project's toolchain script provides the executables the engine needs, at the pinned version. */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiBinDir } from "../../scripts/services/pulumiEnv";

const pinned = require("@pulumi/pulumi/package.json").version as string;

test("pulumi, the nodejs and yaml language hosts and the dynamic-provider launcher resolve through scripts/pulumi-toolchain.sh", () => {
  const bin = pulumiBinDir();
  for (const exe of ["pulumi", "pulumi-language-nodejs", "pulumi-language-yaml", "pulumi-resource-pulumi-nodejs"]) {
    expect(fs.statSync(path.join(bin, exe)).mode & 0o111).not.toBe(0);
  }
  const version = execFileSync(path.join(bin, "pulumi"), ["version"], { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8" });
  expect(version.trim()).toBe(`v${pinned}`);
});

test("a second run of the toolchain script uses the cached build", () => {
  const root = path.resolve(__dirname, "..", "..");
  const run = spawnSync("bash", [path.join(root, "scripts", "pulumi-toolchain.sh")], { encoding: "utf8" });
  expect(run.status).toBe(0);
  expect(run.stdout.trim().split("\n").pop()).toBe(pulumiBinDir());
  // Either our stamped build or a recent enough pulumi already on PATH; never a rebuild.
  expect(run.stderr).toMatch(/\[pulumi-toolchain\] (cached: cli=|using pulumi )/);
  expect(run.stderr).not.toMatch(/building pulumi/);
});

test("a cache stamped by an older launcher set keeps its Go build and gains the policy runtime plugin", () => {
  const root = path.resolve(__dirname, "..", "..");
  const real = pulumiBinDir();
  const toolRoot = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-"));
  try {
    // The Go binaries of an existing cache (linked, not copied), stamped before the policy runtime existed.
    fs.mkdirSync(path.join(toolRoot, "bin"));
    for (const exe of ["pulumi", "pulumi-language-nodejs", "pulumi-language-yaml"]) fs.symlinkSync(path.join(real, exe), path.join(toolRoot, "bin", exe));
    fs.writeFileSync(path.join(toolRoot, "stamp"), "cli=3.276.0 langhost=sdk/v3.68.0 yaml=v1.25.0 launcher=3\n");
    const home = path.join(toolRoot, "home");
    const run = spawnSync("bash", [path.join(root, "scripts", "pulumi-toolchain.sh")], {
      encoding: "utf8",
      // No other pulumi on PATH, so the script takes its cache branch.
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_TOOL_ROOT: toolRoot, PULUMI_HOME: home },
    });
    expect(run.stderr).toMatch(/\[pulumi-toolchain\] cached: cli=3\.276\.0 langhost=sdk\/v3\.68\.0 yaml=v1\.25\.0 launcher=4/);
    expect(run.stderr).not.toMatch(/building pulumi/);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(toolRoot, "stamp"), "utf8").trim()).toBe("cli=3.276.0 langhost=sdk/v3.68.0 yaml=v1.25.0 launcher=4");
    expect(fs.statSync(path.join(toolRoot, "bin", "pulumi-resource-pulumi-nodejs")).mode & 0o111).not.toBe(0);
    // The runtime policy/PulumiPolicy.yaml names, in the plugin cache where the CLI looks it up.
    const plugin = path.join(home, "plugins", "language-nodejs-policy-v0.1.0", "pulumi-language-nodejs-policy");
    expect(fs.statSync(plugin).mode & 0o111).not.toBe(0);
    const listed = execFileSync(path.join(real, "pulumi"), ["plugin", "ls"], { env: { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8" });
    expect(listed).toMatch(/nodejs-policy\s+language\s+0\.1\.0/);
  } finally {
    fs.rmSync(toolRoot, { recursive: true, force: true });
  }
});

const go = spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).stdout.trim();

// Needs Go, as any build of the toolchain does; a machine that brings its own pulumi has nothing to build.
(go ? test : test.skip)("a cache from before the YAML language host builds only pulumi-language-yaml, not the CLI", () => {
  const root = path.resolve(__dirname, "..", "..");
  const real = pulumiBinDir();
  const toolRoot = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-"));
  try {
    fs.mkdirSync(path.join(toolRoot, "bin"));
    for (const exe of ["pulumi", "pulumi-language-nodejs"]) fs.symlinkSync(path.join(real, exe), path.join(toolRoot, "bin", exe));
    fs.writeFileSync(path.join(toolRoot, "stamp"), "cli=3.276.0 langhost=sdk/v3.68.0 launcher=3\n");
    const run = spawnSync("bash", [path.join(root, "scripts", "pulumi-toolchain.sh")], {
      encoding: "utf8",
      // Go from the machine (its build cache is shared, so this is a link step after the first build).
      env: { ...process.env, PATH: `${path.dirname(go)}:${path.dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_TOOL_ROOT: toolRoot, PULUMI_HOME: path.join(toolRoot, "home"), PULUMI_TOOLCHAIN_FORCE_BUILD: "1" },
    });
    expect(run.stderr).toMatch(/\[pulumi-toolchain\] building pulumi-language-yaml v1\.25\.0/);
    expect(run.stderr).not.toMatch(/building pulumi v/);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(toolRoot, "stamp"), "utf8").trim()).toBe("cli=3.276.0 langhost=sdk/v3.68.0 yaml=v1.25.0 launcher=4");
    expect(fs.statSync(path.join(toolRoot, "bin", "pulumi-language-yaml")).mode & 0o111).not.toBe(0);
  } finally {
    fs.rmSync(toolRoot, { recursive: true, force: true });
  }
});
