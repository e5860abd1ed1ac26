import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { projectRoot } from '../../src/paths.js';
import { settingsTheConfigReads } from '../support/config-settings.js';
import {
  buildAndRuntime,
  COMPOSE_SECRETS,
  type ComposeService,
  contractPaths,
  envOf,
  execForm,
  instructions,
  interpolate,
  parseCopy,
  readCompose,
  readDockerfile,
  scriptInputs,
} from './deploy-files.js';

const stages = readDockerfile();
const { build, runtime } = buildAndRuntime(stages);
const settings = settingsTheConfigReads();
const compose = readCompose();
const routes = contractPaths();

/** Where a path of a stage's WORKDIR lives in this checkout (the build stage mirrors it). */
function inCheckout(stagePath: string, workdir: string): string {
  return join(projectRoot, posix.relative(workdir, posix.resolve(workdir, stagePath)));
}

describe('Dockerfile', () => {
  it('builds in a full Node 20 stage with npm ci and npm run build, and runs from a slim Node 20 stage', () => {
    expect(stages).toHaveLength(2);
    expect(build.from).toMatch(/^node:20[-.]/);
    const runs = instructions(build, 'RUN').join('\n');
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
    expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
    expect(JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).scripts.build).toBeDefined();
    expect(runtime.from).toMatch(/^node:20(-[a-z]+)?-slim$/);
  });

  it('copies only files that exist: from the checkout, or from what npm run build leaves in the build stage', () => {
    for (const stage of stages) {
      const workdir = instructions(stage, 'WORKDIR').at(-1) ?? '/';
      for (const args of instructions(stage, 'COPY')) {
        const { from, sources } = parseCopy(args);
        if (from !== undefined) expect(from, `COPY --from=${from} names the build stage`).toBe(build.name);
        for (const source of sources) {
          const path =
            from === undefined
              ? join(projectRoot, source)
              : inCheckout(source, instructions(build, 'WORKDIR').at(-1) ?? '/');
          expect(existsSync(path), `COPY ${args} in the stage at ${workdir}: ${path} is missing`).toBe(true);
        }
      }
    }
  });

  it('gives the build stage every file npm run build reads', () => {
    const copied = instructions(build, 'COPY').flatMap((args) => parseCopy(args).sources);
    const inputs = scriptInputs('build');
    expect(inputs).toEqual(expect.arrayContaining(['openapi.yaml', 'src', 'tsconfig.build.json']));
    const missing = inputs.filter(
      (input) => !copied.some((source) => input === source || input.startsWith(`${source}/`)),
    );
    expect(missing, 'COPY these into the build stage before npm run build').toEqual([]);
  });

  it('never copies secrets or host builds into the image', () => {
    const ignored = readFileSync(join(projectRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', 'dist', 'data']));
  });

  it('runs as a non-root user', () => {
    const users = instructions(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const order = runtime.instructions.map((i) => i.keyword);
    expect(order.indexOf('USER')).toBeLessThan(order.indexOf('CMD'));
  });

  it('starts what the tests start in production: node dist/src/server.js, which the build produces', () => {
    const [command] = instructions(runtime, 'CMD');
    expect(execForm(command ?? '')).toEqual(['node', 'dist/src/server.js']);
    expect(existsSync(join(projectRoot, 'dist', 'src', 'server.js')), 'run npm run build first (npm test does)').toBe(
      true,
    );
  });

  it('sets only settings the config reads: production, listening on every interface of the container', () => {
    const env = envOf(runtime);
    expect(Object.keys(env).filter((name) => !settings.includes(name))).toEqual([]);
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
  });

  it('health-checks a route of the contract with node itself (the slim image has no curl)', () => {
    const [healthcheck] = instructions(runtime, 'HEALTHCHECK');
    const command = execForm(healthcheck ?? '');
    expect(command[0]).toBe('node');
    const path = /'(\/[\w/-]*)'/.exec(command.join(' '))?.[1];
    expect(path).toBe('/healthz');
    expect(routes).toContain(path);
  });
});

describe('compose.yaml', () => {
  const gatehouses = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
  const proxy = compose.services.proxy as ComposeService;
  const proxyAddress = Object.values((proxy?.networks ?? {}) as Record<string, { ipv4_address?: string } | null>)[0]
    ?.ipv4_address;

  it('runs PostgreSQL, Redis, two Gatehouse instances built from the Dockerfile, and a proxy', () => {
    expect(gatehouses.map(([name]) => name).sort()).toEqual(['gatehouse-1', 'gatehouse-2']);
    for (const [, service] of gatehouses) expect(service.build).toBe('.');
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services.redis?.image).toMatch(/^redis:/);
    expect(proxy?.image).toMatch(/^caddy:/);
  });

  it('gives Gatehouse only settings the config reads, and a configuration production accepts', () => {
    for (const [name, service] of gatehouses) {
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          interpolate(String(value), COMPOSE_SECRETS),
        ]),
      );
      expect(
        Object.keys(environment).filter((key) => !settings.includes(key)),
        `${name} sets variables the config does not read`,
      ).toEqual([]);
      expect(Object.keys(environment)).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'SESSION_KEYS', 'TRUST_PROXY']),
      );
      const result = parseConfig({ ...envOf(runtime), ...environment });
      expect(result.ok ? result.warnings : result.problems).toEqual([]);
      if (result.ok)
        expect(result.config).toMatchObject({
          env: 'production',
          databaseUrl: expect.stringMatching(/^postgres:\/\/.*@postgres:5432\//),
          redisUrl: 'redis://redis:6379',
          demoData: false,
        });
    }
  });

  it('refuses to start without the secrets rather than run with weak ones', () => {
    const service = gatehouses[0]?.[1];
    expect(() => interpolate(String(service?.environment?.SESSION_KEYS), {})).toThrow(/SESSION_KEYS/);
    expect(() => interpolate(String(compose.services.postgres?.environment?.POSTGRES_PASSWORD), {})).toThrow(
      /POSTGRES_PASSWORD/,
    );
  });

  it("trusts forwarded addresses from the proxy alone, and publishes no port but the proxy's", () => {
    expect(proxyAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    for (const [, service] of gatehouses) {
      const result = parseConfig({ NODE_ENV: 'test', TRUST_PROXY: String(service.environment?.TRUST_PROXY) });
      expect(result.ok && result.config.trustProxy).toEqual([proxyAddress]);
      expect(service.ports).toBeUndefined();
    }
    for (const name of ['postgres', 'redis']) expect(compose.services[name]?.ports).toBeUndefined();
  });

  it("leaves the image's start command alone and waits for healthy PostgreSQL and Redis", () => {
    for (const [, service] of gatehouses) {
      expect([service.command, service.entrypoint]).toEqual([undefined, undefined]);
      expect(service.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(compose.services.postgres?.healthcheck?.test).toBeDefined();
    expect(compose.services.redis?.healthcheck?.test).toBeDefined();
  });

  it('the proxy terminates TLS and balances over both instances on their port, checking a route of the contract', () => {
    const mount = proxy?.volumes?.find((volume) => volume.includes('/etc/caddy/Caddyfile'));
    const caddyfile = join(projectRoot, (mount ?? '').split(':')[0] ?? '');
    expect(existsSync(caddyfile), `${caddyfile} is mounted by the proxy`).toBe(true);
    const text = readFileSync(caddyfile, 'utf8');
    expect(text).toMatch(/^\s*tls\s/m);
    const upstreams = (/^\s*reverse_proxy\s+([^{\n]+)/m.exec(text)?.[1] ?? '').trim().split(/\s+/);
    const port = envOf(runtime).PORT;
    expect(upstreams.sort()).toEqual(gatehouses.map(([name]) => `${name}:${port}`).sort());
    expect(routes).toContain(/^\s*health_uri\s+(\S+)/m.exec(text)?.[1]);
    expect(proxy?.ports).toEqual(expect.arrayContaining(['443:443']));
  });
});
