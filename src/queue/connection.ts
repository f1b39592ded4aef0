// The Redis behind the job queue: `--queue redis://[user:password@]HOST[:PORT][/DB]` (rediss:// for TLS).
// The URL is checked before anything else, and every command first makes one short connection (a few
// seconds at most) so an unreachable or wrong Redis is reported at once, naming the URL, instead of BullMQ
// retrying forever in the background. Once a worker is running, its BullMQ connections do retry forever:
// a Redis restart must not kill the workers.
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { UsageError } from '../cli/args.js';

/** The one BullMQ queue every hmn job goes through. */
export const QUEUE_NAME = 'hmn';

export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

export interface QueueUrl {
  /** The URL as given, with any password masked: what messages show. */
  display: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

export function parseQueueUrl(text: string): QueueUrl {
  const expected = 'expected redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--queue '${text}' is not a URL (${expected})`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError(`--queue '${text}' is not a Redis URL (${expected})`);
  if (!url.hostname) throw new UsageError(`--queue '${text}' names no host (${expected})`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new UsageError(`--queue '${text}': the database must be a number, got '${dbText}' (${expected})`);
  if (url.search || url.hash) throw new UsageError(`--queue '${text}': query strings and fragments are not understood (${expected})`);
  const masked = new URL(text);
  if (masked.password) masked.password = '***';
  return {
    display: masked.toString(),
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:',
  };
}

/**
 * ioredis options for BullMQ's own connections. Workers' blocking connections need
 * maxRetriesPerRequest: null (BullMQ insists); they reconnect forever with its back-off.
 */
export function connectionOptions(q: QueueUrl): RedisOptions {
  return {
    host: q.host,
    port: q.port,
    db: q.db,
    ...(q.username ? { username: q.username } : {}),
    ...(q.password ? { password: q.password } : {}),
    ...(q.tls ? { tls: {} } : {}),
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
  };
}

export interface RedisInfo {
  version: string;
  /** Whether the append-only file is on (what keeps finished jobs across a Redis restart). */
  appendonly: boolean | null;
}

/**
 * One connection attempt with a short timeout and no retries: resolves with the server's version and
 * persistence, or throws a QueueError naming the URL and the reason.
 */
export async function checkRedis(q: QueueUrl, timeoutMs = 3000): Promise<RedisInfo> {
  const client = new Redis({
    ...connectionOptions(q),
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  // The socket's own error (ECONNREFUSED, ETIMEDOUT, ...) arrives as an event; the awaited call then only
  // says "Connection is closed", so keep the event's message for ours.
  let socketError: Error | null = null;
  client.on('error', (e: Error) => (socketError ??= e));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${(timeoutMs / 1000).toFixed(0)} s`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect(), timeout]);
    const info = await Promise.race([client.info('server'), timeout]);
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    let appendonly: boolean | null = null;
    try {
      const [, value] = (await Promise.race([client.config('GET', 'appendonly'), timeout])) as string[];
      appendonly = value === 'yes';
    } catch {
      // Managed Redis services often disable CONFIG; persistence is then theirs to guarantee.
    }
    return { version, appendonly };
  } catch (e) {
    let reason = (socketError as Error | null)?.message ?? (e as Error).message;
    if (/RESP|protocol/i.test(reason)) reason = `something answers there, but not in the Redis protocol (${reason})`;
    throw new QueueError(`cannot reach Redis at ${q.display}: ${reason}`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
