/**
 * `npm pack` this repository and install the tarball into a fresh folder outside it, beside a Pulumi program:
 * what a user of the package gets (issue 8). Used by the packed-package engine test and the fleet benchmark.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface PackedProject {
  /** The program's folder (outside the repository). */
  dir: string;
  /** The packed tarball's file name and the files it holds. */
  tarball: string;
  files: string[];
  dependencies: Record<string, string>;
  remove(): void;
}

/**
 * Packs the repository, then creates a folder with the given program files (name → text), a package.json that
 * depends on the tarball and on @pulumi/pulumi (its peer), and runs `npm install` there (from npm's cache when it
 * can: the versions are the ones this repository's own install already fetched).
 */
export function packedProject(program: Record<string, string>): PackedProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azureml-packed-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const info = JSON.parse(out.slice(out.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = info[0].filename;
  const own = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  for (const [name, text] of Object.entries(program)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "azureml-packed-consumer", private: true, dependencies: { "pulumi-azureml-retrain": `file:./${tarball}`, "@pulumi/pulumi": own.devDependencies["@pulumi/pulumi"] } }, null, 2),
  );
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  return {
    dir,
    tarball,
    files: info[0].files.map((f) => f.path),
    dependencies: own.dependencies,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
