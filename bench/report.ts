/** BENCHMARKS.md is shared: each benchmark script owns one "## " section and replaces only that one. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const BENCHMARKS_FILE = path.resolve(__dirname, "..", "BENCHMARKS.md");

/** Replaces the section that starts with `heading` (up to the next "## " heading), or appends it. */
export function writeSection(heading: string, body: string): void {
  const section = `${heading}\n\n${body.trim()}\n`;
  const existing = fs.existsSync(BENCHMARKS_FILE) ? fs.readFileSync(BENCHMARKS_FILE, "utf8") : "# Benchmarks\n";
  const lines = existing.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  let updated: string;
  if (start < 0) {
    updated = `${existing.trimEnd()}\n\n${section}`;
  } else {
    const next = lines.findIndex((line, i) => i > start && line.startsWith("## "));
    const before = start > 0 ? `${lines.slice(0, start).join("\n")}\n` : "";
    const after = next < 0 ? "" : `\n${lines.slice(next).join("\n")}`;
    updated = `${before}${section}${after}`;
  }
  fs.writeFileSync(BENCHMARKS_FILE, `${updated.trimEnd()}\n`);
}

/** One line naming the machine the figures come from. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  return `Machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
}
