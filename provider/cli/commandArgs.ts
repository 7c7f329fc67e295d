/**
 * The start every command of the package shares: parse the arguments, print the usage for `--help` (exit 0) or
 * after a parse error (exit 64, EX_USAGE), else hand the values on.
 */
export function commandArgs<T extends { help?: boolean }>(parse: () => T, usage: string): T | number {
  let args: T;
  try {
    args = parse();
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return 64;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  return args;
}
