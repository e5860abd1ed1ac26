import type { PostgresCursor, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** More distinct statements than the service has queries; past it a new text runs unnamed, as kysely runs it. */
const MAX_NAMED_STATEMENTS = 200;

/** PostgreSQL's answer when a prepared `select *` would now return other columns (a migration added one). */
const CACHED_PLAN_CHANGED = '0A000';

/**
 * PostgreSQL behind kysely, each distinct SQL text prepared once per connection. Kysely sends
 * every query unnamed, so the server parses and plans it again each time: on the same two cores
 * as the service that was a third of a credential check's store cost (a key lookup answered 8,600
 * times a second unnamed, 13,000 named). Each text gets one name for the life of the process, so
 * a connection's prepared statements are bounded by the number of texts named. A statement whose
 * columns changed under it (a migration by a newer instance) fails before it runs; that text is
 * then run unnamed from then on, this time included.
 */
export class NamedStatements {
  private readonly names = new Map<string, string>();
  private readonly unnamed = new Set<string>();
  private namesGiven = 0;
  private readonly clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  constructor(private readonly maxStatements = MAX_NAMED_STATEMENTS) {}

  /** The pool kysely's PostgresDialect is given: the same connections, each query named. */
  pool(pool: pg.Pool): PostgresPool {
    return {
      connect: async () => this.client(await pool.connect()),
      end: () => pool.end(),
    };
  }

  private client(client: pg.PoolClient): PostgresPoolClient {
    let wrapped = this.clients.get(client);
    if (wrapped === undefined) {
      const query = (sql: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) =>
        typeof sql === 'string' ? this.query(client, sql, parameters ?? []) : client.query(sql as never);
      wrapped = {
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy) => client.release(destroy),
      };
      this.clients.set(client, wrapped);
    }
    return wrapped;
  }

  private async query(
    client: pg.PoolClient,
    text: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<pg.QueryResult> {
    const values = parameters as unknown[];
    const name = this.nameOf(text);
    if (name === undefined) return client.query(text, values);
    try {
      return await client.query({ name, text, values });
    } catch (error) {
      if ((error as { code?: unknown }).code !== CACHED_PLAN_CHANGED) throw error;
      this.names.delete(text);
      this.unnamed.add(text);
      return client.query(text, values);
    }
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.namesGiven < this.maxStatements && !this.unnamed.has(text)) {
      name = `gatehouse_${this.namesGiven++}`;
      this.names.set(text, name);
    }
    return name;
  }
}
