import type { Readable, Writable } from 'node:stream';

/**
 * Where evidence files live: an object store addressed by keys Vigil makes (never from a user's file name).
 * Objects are written to a temporary name first and placed under their key only when complete, and once
 * placed they are never changed: placing a key that already exists keeps the object already there.
 */
export interface ObjectStorage {
  /** A new temporary object to write to. Nothing is visible under any key until it is placed. */
  createTemp(): Promise<TempObject>;
  /** Opens a placed object for reading; null when there is none under that key. */
  openRead(key: string): Promise<StoredObject | null>;
  /**
   * Removes temporary objects, and placed objects `isReferenced` says nothing refers to, that are older than
   * `olderThan` (so an upload in flight is never swept). `isReferenced` is asked about the keys of one case
   * at a time and answers with those still referred to. Returns how many it removed.
   */
  sweep(
    olderThan: Date,
    isReferenced: (keys: string[]) => Promise<Set<string>>,
  ): Promise<{ temporary: number; unreferenced: number }>;
}

export interface TempObject {
  /** Where the bytes go; end it (or let a pipeline end it) before calling `complete`. */
  readonly stream: Writable;
  /** Flushes the bytes to disk and closes the temporary object. */
  complete(): Promise<void>;
  /** Moves the completed object under `key`; `existed` when an object was already there (it is kept). */
  place(key: string): Promise<'placed' | 'existed'>;
  /** Removes the temporary object; safe to call more than once, and after `place`. */
  discard(): Promise<void>;
}

export interface StoredObject {
  readonly size: number;
  /** The bytes from `start` to `end` inclusive. */
  readRange(start: number, end: number): Readable;
  readAt(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Keys are made only from ids and hex digests: a key with anything else is refused before touching disk. */
const KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/[0-9a-f]{64}(\.[a-z]+)?$/;

export function assertStorageKey(key: string): void {
  if (!KEY.test(key)) throw new Error('Not a storage key');
}
