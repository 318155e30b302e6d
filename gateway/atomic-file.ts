// Small state files replaced atomically: write a temporary file, fsync it, rename it over the old one, fsync the folder.
// After a power cut the file holds either the old or the new content, never a mix or nothing.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of a directory, so a created, renamed or removed entry survives a power cut (no-op where unsupported). */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the data files themselves are still fsynced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // As above.
  }
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: { fsync?: boolean; mode?: number } = {}): void {
  const fsync = options.fsync ?? true;
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', options.mode ?? 0o644);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (fsync) fsyncDirSync(dirname(path));
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { fsync?: boolean; mode?: number } = {}): Promise<void> {
  const fsync = options.fsync ?? true;
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w', options.mode ?? 0o644);
  try {
    await handle.writeFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (fsync) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  if (fsync) await fsyncDir(dirname(path));
}
