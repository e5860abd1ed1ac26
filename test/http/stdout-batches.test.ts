import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

/** The built logger (npm test builds first), as the service makes it: its lines go to stdout. */
const builtLogger = pathToFileURL(join(projectRoot, 'dist', 'src', 'http', 'request-logger.js')).href;

interface Child {
  /** Resolves with the stdout lines once `count` have arrived, or all of them at exit. */
  lines(count: number): Promise<string[]>;
  exited: Promise<number | null>;
  kill(): void;
}

/** A Node process that imports the built logger and runs `body` with it as `logger`. */
function runWithLogger(body: string): Child {
  const script = `import { createLogger } from ${JSON.stringify(builtLogger)};\nconst logger = createLogger('info');\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const waiting: Array<{ count: number; resolve: (lines: string[]) => void }> = [];
  const complete = () => output.split('\n').filter((line) => line !== '');
  const settle = (done: boolean) => {
    for (const wait of [...waiting]) {
      if (done || complete().length >= wait.count) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve(complete());
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    output += String(chunk);
    settle(false);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      settle(true);
      resolve(code);
    }),
  );
  return {
    lines: (count) =>
      new Promise((resolve) => {
        waiting.push({ count, resolve });
        settle(child.exitCode !== null);
      }),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

describe('the service log on stdout, written in batches', () => {
  it('writes the lines still gathered when the process exits', async () => {
    const child = runWithLogger("for (let n = 0; n < 5; n++) logger.info({ n }, 'gathered');\nprocess.exit(0);");
    const lines = await child.lines(5);
    expect(await child.exited).toBe(0);
    expect(lines.map((line) => JSON.parse(line).n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('writes a few lines without waiting for a batch to fill, while the process runs on', async () => {
    const child = runWithLogger("logger.info({ n: 0 }, 'alone');\nsetTimeout(() => {}, 60_000);");
    try {
      const [line] = await child.lines(1);
      expect(JSON.parse(line ?? '{}')).toMatchObject({ n: 0, msg: 'alone' });
    } finally {
      child.kill();
    }
  });

  it('writes whole lines, in order, when many arrive at once', async () => {
    const child = runWithLogger(
      "for (let n = 0; n < 2000; n++) logger.info({ n, padding: 'x'.repeat(100) }, 'many');\nsetTimeout(() => process.exit(0), 10);",
    );
    const lines = await child.lines(2000);
    expect(await child.exited).toBe(0);
    expect(lines.map((line) => JSON.parse(line).n)).toEqual(Array.from({ length: 2000 }, (_, n) => n));
  });
});
