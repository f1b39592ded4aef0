// The page's checkpoint in IndexedDB: the bytes of checkpoint.safetensors (the CLI's format, so a checkpoint
// downloaded from here resumes with `hmn condense --resume` too) and what is needed to offer it back after a
// reload. One record; a new run's first checkpoint replaces it, an error never deletes it.
const DB = 'hmn-webgpu';
const STORE = 'checkpoints';
const KEY = 'current';

export interface SavedCheckpoint {
  bytes: Uint8Array;
  /** Iteration reached and of how many, for the "resume?" offer without decoding the file. */
  iteration: number;
  iterations: number;
  dataset: string;
  /** Where the images came from: 'builtin' (regenerated on resume) or the picked files (picked again). */
  source: string;
  savedAt: number;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB: ${req.error?.message ?? 'cannot open the database'}`));
  });
}

async function run<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      // Resolve when the transaction commits, so a saved checkpoint is on disk before we say so.
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => reject(new Error(`IndexedDB: ${tx.error?.message ?? 'the transaction failed'}`));
    });
  } finally {
    db.close();
  }
}

export const saveCheckpoint = (c: SavedCheckpoint) => run('readwrite', (s) => s.put(c, KEY)).then(() => undefined);
export const loadCheckpoint = () => run<SavedCheckpoint | undefined>('readonly', (s) => s.get(KEY));
export const deleteCheckpoint = () => run('readwrite', (s) => s.delete(KEY)).then(() => undefined);
