import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadGenerator, LoadResult, LoadSpec } from './load-generator.js';

const runner = fileURLToPath(new URL('./autocannon-runner.js', import.meta.url));

/** The fallback when wrk is not installed: autocannon, each run in a fresh child process. */
export class AutocannonGenerator implements LoadGenerator {
  readonly name = 'autocannon (child process)';

  run(spec: LoadSpec): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const child = fork(runner, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let settled = false;
      child.once('message', (message: { result?: LoadResult; error?: string }) => {
        settled = true;
        if (message.result !== undefined) resolve(message.result);
        else reject(new Error(`autocannon: ${message.error}`));
      });
      child.once('exit', (code) => {
        if (!settled) reject(new Error(`autocannon runner exited with ${code} before answering`));
      });
      child.send(spec);
    });
  }
}
