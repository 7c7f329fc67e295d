/**
 * The few git operations the model-update automation needs, through the `git` CLI: it is on every CI runner,
 * uses the checkout's own credentials and config, and a library would add a dependency for five commands.
 */
import { execFile } from "child_process";

export interface Git {
  (...args: string[]): Promise<string>;
  /** Like the call, but undefined instead of an error (a ref or file that does not exist). */
  maybe(...args: string[]): Promise<string | undefined>;
}

export function gitIn(dir: string, env: Record<string, string> = {}): Git {
  const run = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile("git", args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`git ${args[0]} failed: ${String(stderr).trim() || err.message}`)) : resolve(stdout),
      );
    });
  const git = run as Git;
  git.maybe = (...args: string[]) => run(...args).catch(() => undefined);
  return git;
}
