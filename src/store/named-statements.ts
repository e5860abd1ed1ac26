import type { PostgresCursor, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { sha256Hex } from '../crypto/tokens.js';

/** More distinct statements than the service has queries; past it a new text runs unnamed, as kysely runs it. */
const MAX_NAMED_STATEMENTS = 200;

/**
 * Errors that mean the named statement, not the query, failed, before it ran: `0A000`, a prepared
 * `select *` whose columns a migration changed; `26000` and `42P05`, a connection that does not
 * hold what this client prepared on it, or holds the name already (a pooler in between that does
 * not carry prepared statements, such as PgBouncer before 1.21 in transaction mode).
 */
const STATEMENT_FAILURES = new Set(['0A000', '26000', '42P05']);

/**
 * PostgreSQL behind kysely, each distinct SQL text prepared once per connection. Kysely sends
 * every query unnamed, so the server parses and plans it again each time: on the same two cores
 * as the service that was a third of a credential check's store cost (a key lookup answered 8,600
 * times a second unnamed, 13,000 named). A text's name is a digest of the text, so one name means
 * one text in every process that shares a server connection; the number of names is bounded, so
 * is each connection's set of prepared statements. When the statement rather than the query fails
 * (STATEMENT_FAILURES) the text runs unnamed from then on, starting with this call; inside a
 * transaction that retry fails with the transaction, as the query would have.
 */
export class NamedStatements {
  private readonly names = new Map<string, string>();
  private readonly unnamed = new Set<string>();
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
      if (!STATEMENT_FAILURES.has(String((error as { code?: unknown }).code))) throw error;
      this.names.delete(text);
      this.unnamed.add(text);
      return client.query(text, values);
    }
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size + this.unnamed.size < this.maxStatements && !this.unnamed.has(text)) {
      name = `gatehouse_${sha256Hex(text).slice(0, 32)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
