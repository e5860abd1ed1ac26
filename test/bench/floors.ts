import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FloorKind } from './floor-server.js';
import type { LoadGenerator } from './load-generator.js';
import { measure, type Row } from './measure.js';
import type { BenchOptions } from './options.js';

const floorScript = fileURLToPath(new URL('./floor-server.js', import.meta.url));

export interface Floor {
  id: string;
  kind: FloorKind;
  title: string;
}

export const FLOORS: Floor[] = [
  { id: 'floor-node', kind: 'node-http', title: 'raw node:http, JSON hello' },
  { id: 'floor-express', kind: 'express', title: 'bare Express 5, JSON hello' },
  {
    id: 'floor-validator',
    kind: 'express-validator',
    title: 'Express 5 + express-openapi-validator, one-route spec (the floor)',
  },
];

/** The floor every ratio is taken against: Express 5 + express-openapi-validator, one route. */
export const FLOOR_ID = 'floor-validator';

export interface FloorProcess {
  floor: Floor;
  /** Loads it and reads its memory, like any scenario. */
  measure(generator: LoadGenerator, options: BenchOptions, id?: string): Promise<Row>;
  stop(): Promise<void>;
}

export async function startFloor(floor: Floor): Promise<FloorProcess> {
  const child = fork(floorScript, [floor.kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`floor ${floor.kind} exited with ${code}`)));
  });
  return {
    floor,
    measure: (generator, options, id = floor.id) =>
      measure(generator, options, {
        id,
        scenario: floor.title,
        backend: 'floor',
        workers: 1,
        baseUrl: `http://127.0.0.1:${port}`,
        pid: child.pid ?? 0,
        request: { method: 'GET', path: '/hello', headers: {} },
        expectedStatus: 200,
      }),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A floor in a process of its own, measured once. */
export async function measureFloor(
  generator: LoadGenerator,
  options: BenchOptions,
  floor: Floor,
  id = floor.id,
): Promise<Row> {
  const running = await startFloor(floor);
  try {
    return await running.measure(generator, options, id);
  } finally {
    await running.stop();
  }
}
