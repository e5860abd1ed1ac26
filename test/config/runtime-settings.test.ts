import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

function problemsOf(env: Record<string, string>): string[] {
  const result = parseConfig(env);
  return result.ok ? [] : result.problems;
}

describe('runtime settings', () => {
  it('default to one process, metrics off on loopback, a 10 s shutdown and a year of audit events', () => {
    const result = parseConfig({});
    expect(result.ok && result.config).toMatchObject({
      webConcurrency: 1,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      shutdownTimeoutSeconds: 10,
      auditRetentionDays: 365,
    });
  });

  it('are read from the environment', () => {
    const result = parseConfig({
      DATABASE_URL: 'sqlite:./data/x.db',
      WEB_CONCURRENCY: '4',
      METRICS_PORT: '9464',
      METRICS_HOST: '0.0.0.0',
      SHUTDOWN_TIMEOUT_SECONDS: '30',
      AUDIT_RETENTION_DAYS: '90',
    });
    expect(result.ok && result.config).toMatchObject({
      webConcurrency: 4,
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      shutdownTimeoutSeconds: 30,
      auditRetentionDays: 90,
    });
  });

  it('refuses bad values with one line each, naming the variable', () => {
    expect(
      problemsOf({
        WEB_CONCURRENCY: '0',
        METRICS_PORT: 'nine',
        SHUTDOWN_TIMEOUT_SECONDS: '-1',
        AUDIT_RETENTION_DAYS: '1.5',
      }),
    ).toEqual([
      'WEB_CONCURRENCY must be a whole number from 1 to 64 (got "0")',
      'METRICS_PORT must be a whole number from 0 to 65535 (got "nine")',
      'SHUTDOWN_TIMEOUT_SECONDS must be a whole number from 1 to 600 (got "-1")',
      'AUDIT_RETENTION_DAYS must be a whole number from 1 to 36500 (got "1.5")',
    ]);
  });

  it('refuses several workers on an in-memory store, which they could not share', () => {
    expect(problemsOf({ WEB_CONCURRENCY: '2', DATABASE_URL: 'sqlite::memory:' })).toEqual([
      'WEB_CONCURRENCY above 1 needs a store the workers share: DATABASE_URL cannot be sqlite::memory:',
    ]);
  });

  it('refuses metrics on the public port', () => {
    expect(problemsOf({ PORT: '3000', METRICS_PORT: '3000' })).toEqual([
      'METRICS_PORT must differ from PORT: metrics never share the public listener',
    ]);
  });
});
