// Where the shared standards vectors live: $PEDIGREE_STANDARDS_DIR, else ../shared/standards next to the repository.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function locate(): string {
  const fromEnv = process.env.PEDIGREE_STANDARDS_DIR;
  const dir = resolve(fromEnv || join(REPO_ROOT, '..', 'shared', 'standards'));
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
  if (fromEnv) throw new Error(`PEDIGREE_STANDARDS_DIR is ${fromEnv}, which is not a directory: set it to the shared/standards directory`);
  throw new Error(
    `standards vectors not found at ${dir}: clone the repository next to ../shared (the project's shared folder) ` +
      'or set PEDIGREE_STANDARDS_DIR to the shared/standards directory',
  );
}

/** The absolute shared/standards directory, without a trailing separator. */
export const STANDARDS_DIR = locate();

/** A path inside the standards directory, e.g. `standardsPath('gs1', 'tds-vectors.json')`. */
export function standardsPath(...parts: string[]): string {
  return join(STANDARDS_DIR, ...parts);
}
