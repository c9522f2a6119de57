// Reads a project directory into the file set `.Files` and partials use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Folders never part of a werf project's file set. */
const skipDirs = new Set(['.git', 'node_modules']);
const maxTotalBytes = 64 * 1024 * 1024;

/** Every regular file below `dir`, keyed by its path relative to `dir` with `/`. */
export function readProjectFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  let total = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!skipDirs.has(entry.name)) walk(full);
        continue;
      }
      if (
        !entry.isFile() &&
        !(entry.isSymbolicLink() && statSync(full, { throwIfNoEntry: false })?.isFile())
      ) {
        continue;
      }
      const content = readFileSync(full);
      total += content.length;
      if (total > maxTotalBytes) {
        throw new Error(
          `project files under ${dir} exceed ${maxTotalBytes} bytes; point --dir at a smaller folder`,
        );
      }
      files.set(relative(dir, full).split(sep).join('/'), content.toString('utf8'));
    }
  };
  walk(dir);
  return files;
}
