import { writeSync } from 'node:fs';

/** One write(2) at most: whole lines up to PIPE_BUF, so processes sharing a pipe never interleave inside a line. */
const BATCH_BYTES = 4096;
/** The longest a line waits for its batch to fill. */
const FLUSH_MS = 100;
/** How long a write waits for a full pipe (EAGAIN) to drain before trying again. */
const PIPE_FULL_WAIT_MS = 5;
/** How long one batch may wait for a full pipe in all before it is dropped. */
const PIPE_FULL_GIVE_UP_MS = 1000;

const pause = new Int32Array(new SharedArrayBuffer(4));
const NEWLINE = Buffer.from('\n');

/**
 * Log lines written to a file descriptor in batches: each line is copied into one fixed 4 KB
 * buffer as it comes, and the buffer goes out in one synchronous write when the next line would
 * not fit, or when flushed (stdoutLines flushes every 100 ms and at exit). A line longer than
 * the buffer goes out alone, after those before it.
 *
 * Written for the request log, which pino's own destination (sonic-boom) made cost about 8 µs a
 * line: it measured the byte length of the whole pending batch on every line, flattening a
 * growing string each time, and kept the lines' strings alive until the write. Copied at once,
 * a line's string is garbage before the next young-generation collection.
 *
 * The write is synchronous, as pino's default is: a few microseconds for a batch, and nothing
 * waits in libuv's thread pool behind bcrypt. A full pipe (a slow log reader) holds the process
 * while it drains, at most a second per batch, after which the batch is dropped. A closed pipe
 * (EPIPE) turns the log off for good; any other failure drops that batch, ending a line cut short
 * with a newline so the next batch starts on a line of its own. The service goes on answering
 * without its log rather than failing requests.
 */
export class BatchedLines {
  private readonly buffer = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  private failed = false;

  /** `writeBytes` is fs.writeSync; tests pass one that records the writes it is asked for. */
  constructor(
    private readonly fd: number,
    private readonly writeBytes: typeof writeSync = writeSync,
  ) {}

  /** pino's destination interface: one whole line, newline included. */
  write(line: string): void {
    const room = BATCH_BYTES - this.used;
    // No UTF-16 unit takes more than 3 bytes in UTF-8: short lines skip measuring.
    const bytes = line.length * 3 <= room ? 0 : Buffer.byteLength(line);
    if (bytes > room) this.flush();
    if (bytes > BATCH_BYTES) this.writeOut(Buffer.from(line), bytes);
    else this.used += this.buffer.write(line, this.used);
  }

  /** Writes what the batch holds; pino's `logger.flush(done)` comes here. */
  flush(done?: (error?: Error) => void): void {
    if (this.used > 0) {
      const length = this.used;
      this.used = 0;
      this.writeOut(this.buffer, length);
    }
    done?.();
  }

  private writeOut(bytes: Buffer, length: number): void {
    if (this.failed) return;
    let written = 0;
    let waitedMs = 0;
    while (written < length) {
      let count: number;
      try {
        count = this.writeBytes(this.fd, bytes, written, length - written);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'EAGAIN' || code === 'EBUSY') && waitedMs < PIPE_FULL_GIVE_UP_MS) {
          Atomics.wait(pause, 0, 0, PIPE_FULL_WAIT_MS);
          waitedMs += PIPE_FULL_WAIT_MS;
          continue;
        }
        // EPIPE: nobody reads the log any more.
        this.failed = code === 'EPIPE';
        count = 0;
      }
      if (count === 0) {
        if (written > 0 && !this.failed) this.endCutLine();
        return;
      }
      written += count;
    }
  }

  /** After a batch failed partway: one newline, so the cut line does not run into the next batch. */
  private endCutLine(): void {
    try {
      this.writeBytes(this.fd, NEWLINE, 0, 1);
    } catch {
      // Nothing more to do: the next batch is tried all the same.
    }
  }
}

/** The process's stdout in batches, flushed every 100 ms and when the process exits. */
export function stdoutLines(): BatchedLines {
  const lines = new BatchedLines(1);
  setInterval(() => lines.flush(), FLUSH_MS).unref();
  process.once('exit', () => lines.flush());
  return lines;
}
