import type { Clock } from '../clock.js';
import type { Counter, CounterSpec } from './counters.js';
import type { CounterState } from './decisions.js';
import { MemoryCounter, type MemoryCounterOptions } from './memory-counter.js';

/**
 * Without Redis, the workers of a node:cluster count in the primary, over IPC, so every worker on
 * the machine sees the same counts. The primary keeps them in bounded MemoryCounters, like a
 * single process does; rate-limiter-flexible's cluster master kept a timer per key, unbounded.
 */
const CHANNEL = 'gatehouse-counters';

export type CounterOperation =
  | { op: 'get'; key: string }
  | { op: 'add'; key: string; points: number }
  | { op: 'block'; key: string; seconds: number }
  | { op: 'delete'; key: string };

export type CounterRequest = CounterOperation & { channel: typeof CHANNEL; id: number; counter: CounterSpec };

export interface CounterReply {
  channel: typeof CHANNEL;
  id: number;
  /** The count after the operation; null when there is none (`get` of an unknown key, `block`, `delete`). */
  state?: CounterState | null;
  error?: string;
}

/** Workers and the primary carry other messages too (metrics); these are ours. */
function onChannel(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { channel?: unknown }).channel === CHANNEL;
}

/** In the primary: answers the workers' counter requests from one MemoryCounter per counter name. */
export class ClusterCounterHost {
  private readonly counters = new Map<string, MemoryCounter>();

  constructor(
    private readonly clock: Clock,
    private readonly options: MemoryCounterOptions = {},
  ) {}

  /** The answer to a worker's message, or undefined when the message is not a counter request. */
  async answer(message: unknown): Promise<CounterReply | undefined> {
    if (!onChannel(message)) return undefined;
    const request = message as CounterRequest;
    const { id, counter: spec } = request;
    let counter = this.counters.get(spec.name);
    if (counter === undefined) {
      counter = new MemoryCounter(spec, this.clock, this.options);
      this.counters.set(spec.name, counter);
    }
    switch (request.op) {
      case 'get':
        return { channel: CHANNEL, id, state: (await counter.get(request.key)) ?? null };
      case 'add':
        return { channel: CHANNEL, id, state: await counter.add(request.key, request.points) };
      case 'block':
        await counter.block(request.key, request.seconds);
        return { channel: CHANNEL, id, state: null };
      case 'delete':
        await counter.delete(request.key);
        return { channel: CHANNEL, id, state: null };
      default:
        return { channel: CHANNEL, id, error: 'unknown counter operation' };
    }
  }
}

/** How a worker talks to its primary; tests join a client to a host directly. */
export interface WorkerLink {
  send(message: CounterRequest): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface Pending {
  resolve: (state: CounterState | null) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** In a worker: one link to the primary, shared by every counter of the app. */
export class ClusterCounterClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly link: WorkerLink,
    private readonly timeoutMs: number,
  ) {
    link.onMessage((message) => this.settle(message));
  }

  counter(spec: CounterSpec): Counter {
    const ask = (operation: CounterOperation): Promise<CounterState | null> => this.request(spec, operation);
    return {
      points: spec.points,
      get: async (key) => (await ask({ op: 'get', key })) ?? undefined,
      add: async (key, points) => (await ask({ op: 'add', key, points })) ?? { consumed: 0, msBeforeReset: 0 },
      block: async (key, seconds) => {
        await ask({ op: 'block', key, seconds });
      },
      delete: async (key) => {
        await ask({ op: 'delete', key });
      },
    };
  }

  private request(spec: CounterSpec, operation: CounterOperation): Promise<CounterState | null> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A primary that does not answer in time is treated as down: the caller falls back to memory.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('the cluster primary did not answer a counter request in time'));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.link.send({ ...operation, channel: CHANNEL, id, counter: spec });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private settle(message: unknown): void {
    if (!onChannel(message)) return;
    const reply = message as CounterReply;
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve(reply.state ?? null);
  }
}

/** The worker's link: node:cluster's IPC channel to the primary. */
export function primaryLink(): WorkerLink {
  return {
    send: (message) => {
      if (process.send === undefined) throw new Error('not a cluster worker: no channel to the primary');
      process.send(message);
    },
    onMessage: (listener) => process.on('message', listener),
  };
}
