import { randomUUID } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertStorageKey, type ObjectStorage, type StoredObject, type TempObject } from './storage.ts';

const TEMP_FOLDER = '.tmp';

const isCode = (error: unknown, code: string) =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === code;

async function ignoreMissing(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

/** Makes a rename or link durable: the folder's entry is flushed too, not only the file's bytes. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Objects in a local folder (by default the data folder's `evidence`): `<organisation>/<case>/<sha256>[.kind]`,
 * with temporary objects in `.tmp` inside the same folder, so placing one is a link on the same filesystem.
 * Placing uses link(2), not rename(2), so an object already under a key is never replaced.
 */
export class LocalFolderStorage implements ObjectStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private pathOf(key: string): string {
    assertStorageKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async createTemp(): Promise<TempObject> {
    const folder = path.join(this.root, TEMP_FOLDER);
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const tempPath = path.join(folder, randomUUID());
    const handle = await fs.open(tempPath, 'wx', 0o600);
    // The stream owns the file: it flushes it to disk (fsync) before closing it.
    const stream = handle.createWriteStream({ flush: true });
    return {
      stream,
      complete: async () => {
        if (!stream.closed) await once(stream, 'close');
        if (stream.errored) throw stream.errored;
      },
      place: async (key) => {
        const target = this.pathOf(key);
        await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        let outcome: 'placed' | 'existed' = 'placed';
        try {
          await fs.link(tempPath, target);
        } catch (error) {
          if (!isCode(error, 'EEXIST')) throw error;
          outcome = 'existed';
        }
        // Touched (an existing object is otherwise kept as it is), so a sweep does not take it while the row
        // that will refer to it is being written.
        const now = new Date();
        await fs.utimes(target, now, now);
        if (outcome === 'placed') await syncFolder(path.dirname(target));
        return outcome;
      },
      discard: async () => {
        if (!stream.closed) {
          stream.destroy();
          await once(stream, 'close').catch(() => undefined);
        }
        await ignoreMissing(fs.unlink(tempPath));
      },
    };
  }

  async openRead(key: string): Promise<StoredObject | null> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(key), 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
    }
    const { size } = await handle.stat();
    return {
      size,
      // One open file for every read: a name swapped underneath between reads is not followed.
      readRange: (start, end): Readable =>
        createReadStream('', { fd: handle, start, end, autoClose: false, highWaterMark: 256 * 1024 }),
      readAt: async (position, length) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      close: () => handle.close(),
    };
  }

  async sweep(
    olderThan: Date,
    isReferenced: (keys: string[]) => Promise<Set<string>>,
  ): Promise<{ temporary: number; unreferenced: number }> {
    const stale = async (file: string) => (await fs.stat(file)).mtime < olderThan;
    let temporary = 0;
    let unreferenced = 0;
    const tempFolder = path.join(this.root, TEMP_FOLDER);
    for (const name of await listFolder(tempFolder)) {
      const file = path.join(tempFolder, name);
      if (await stale(file).catch(() => false)) {
        await ignoreMissing(fs.unlink(file));
        temporary += 1;
      }
    }
    for (const organisation of await listFolder(this.root)) {
      if (organisation === TEMP_FOLDER) continue;
      for (const kase of await listFolder(path.join(this.root, organisation))) {
        const folder = path.join(this.root, organisation, kase);
        const keys: string[] = [];
        for (const name of await listFolder(folder)) {
          const key = `${organisation}/${kase}/${name}`;
          try {
            assertStorageKey(key);
          } catch {
            continue;
          }
          if (await stale(path.join(folder, name)).catch(() => false)) keys.push(key);
        }
        if (keys.length === 0) continue;
        const referenced = await isReferenced(keys);
        for (const key of keys) {
          if (referenced.has(key)) continue;
          await ignoreMissing(fs.unlink(this.pathOf(key)));
          unreferenced += 1;
        }
      }
    }
    return { temporary, unreferenced };
  }
}

async function listFolder(folder: string): Promise<string[]> {
  try {
    return await fs.readdir(folder);
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return [];
    throw error;
  }
}
