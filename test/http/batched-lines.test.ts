import { spawn } from 'node:child_process';
import type { writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatchedLines } from '../../src/http/batched-lines.js';
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

/** What a BatchedLines asked to write, one entry per write(2); `answer` may fail or shorten a write. */
function recorder(answer: (call: number, length: number) => number | NodeJS.ErrnoException = (_, length) => length) {
  const writes: Buffer[] = [];
  let calls = 0;
  const write = ((_fd: number, bytes: Buffer, offset: number, length: number) => {
    const outcome = answer(calls++, length);
    if (typeof outcome !== 'number') throw outcome;
    writes.push(Buffer.from(bytes.subarray(offset, offset + outcome)));
    return outcome;
  }) as unknown as typeof writeSync;
  return { writes, write, text: () => Buffer.concat(writes).toString('utf8') };
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

describe('BatchedLines', () => {
  it('writes whole lines, at most 4 KB at a time, byte for byte, in multi-byte text too', () => {
    const { writes, write, text } = recorder();
    const lines = new BatchedLines(1, write);
    const sent: string[] = [];
    for (let n = 0; n < 300; n++) {
      const line = `${JSON.stringify({ n, text: ['plain', 'é'.repeat(n % 40), '漢字'.repeat(n % 30), '😀'.repeat(n % 20)][n % 4] })}\n`;
      sent.push(line);
      lines.write(line);
    }
    lines.flush();
    expect(text()).toBe(sent.join(''));
    // Batched: far fewer writes than lines.
    expect(writes.length).toBeLessThan(sent.length / 10);
    for (const batch of writes) {
      expect(batch.length).toBeLessThanOrEqual(4096);
      expect(batch.at(-1)).toBe(0x0a);
      expect(() =>
        batch
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).not.toThrow();
    }
  });

  // Each fits by its length (41 UTF-16 units), not by its bytes (121), in the 100 a batch has left.
  it.each([
    ['characters of three bytes', `${'漢'.repeat(40)}\n`, `${'漢'.repeat(40)}\n`],
    ['lone surrogates, written as U+FFFD', `${'\ud800'.repeat(40)}\n`, `${'\ufffd'.repeat(40)}\n`],
  ])('starts a new batch for a line of %s that would overflow the one filling', (_, wide, written) => {
    const { writes, write, text } = recorder();
    const lines = new BatchedLines(1, write);
    const filler = `${'a'.repeat(4096 - 100 - 1)}\n`;
    lines.write(filler);
    lines.write(wide);
    lines.flush();
    expect(writes.map((batch) => batch.length)).toEqual([4096 - 100, 121]);
    expect(text()).toBe(filler + written);
  });

  it('writes a line longer than the batch alone, after the lines before it', () => {
    const { writes, write, text } = recorder();
    const lines = new BatchedLines(1, write);
    const long = `${'x'.repeat(10_000)}\n`;
    lines.write('before\n');
    lines.write(long);
    lines.write('after\n');
    lines.flush();
    expect(writes.map((batch) => batch.toString())).toEqual(['before\n', long, 'after\n']);
    expect(text()).toBe(`before\n${long}after\n`);
  });

  it('waits out a full pipe and finishes a short write', () => {
    const { write, text } = recorder((call, length) => (call === 0 ? errno('EAGAIN') : call === 1 ? 3 : length));
    const lines = new BatchedLines(1, write);
    lines.write('first line\n');
    lines.write('second line\n');
    lines.flush();
    expect(text()).toBe('first line\nsecond line\n');
  });

  it('stops writing once the reader is gone (EPIPE), without throwing; another failure loses only its batch', () => {
    const failing = recorder((call, length) => (call === 0 ? errno('EIO') : length));
    const lines = new BatchedLines(1, failing.write);
    lines.write('lost\n');
    lines.flush();
    lines.write('kept\n');
    lines.flush();
    expect(failing.text()).toBe('kept\n');

    const closed = recorder((call, length) => (call === 0 ? errno('EPIPE') : length));
    const gone = new BatchedLines(1, closed.write);
    gone.write('one\n');
    expect(() => gone.flush()).not.toThrow();
    gone.write('two\n');
    gone.flush();
    expect(closed.writes).toEqual([]);
  });

  it('ends a line a failure cut short, so the next batch starts on a line of its own', () => {
    const { write, text } = recorder((call, length) => (call === 0 ? 4 : call === 1 ? errno('EIO') : length));
    const lines = new BatchedLines(1, write);
    lines.write('cut short\n');
    lines.flush();
    lines.write('whole\n');
    lines.flush();
    expect(text()).toBe('cut \nwhole\n');
  });

  it('drops a batch a pipe stays full for (about a second), then writes the next', () => {
    let full = true;
    const { write, text } = recorder((_, length) => (full ? errno('EAGAIN') : length));
    const lines = new BatchedLines(1, write);
    lines.write('waited for too long\n');
    const started = Date.now();
    lines.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    full = false;
    lines.write('next\n');
    lines.flush();
    expect(text()).toBe('next\n');
  });

  it("calls back from pino's flush", () => {
    const { write, text } = recorder();
    const lines = new BatchedLines(1, write);
    lines.write('pending\n');
    let called = false;
    lines.flush(() => {
      called = true;
    });
    expect(called).toBe(true);
    expect(text()).toBe('pending\n');
  });
});
