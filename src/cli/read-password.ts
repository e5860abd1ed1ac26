import type { Readable, Writable } from 'node:stream';
import { UsageError } from './cli-types.js';

/** The first line of a piped standard input (without its line ending); empty when there is none. */
export async function readFirstLine(input: Readable): Promise<string> {
  let data = '';
  for await (const chunk of input) {
    data += String(chunk);
    if (data.includes('\n')) break;
  }
  return data.split(/\r?\n/)[0] ?? '';
}

/** Reads one line from a terminal in raw mode without echoing it. */
function promptHidden(prompt: string, input: NodeJS.ReadStream, output: Writable): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (character === '\u0003' || character === '\u0004') {
          finish();
          reject(new UsageError('cancelled'));
          return;
        }
        if (character === '\u007f' || character === '\b') value = [...value].slice(0, -1).join('');
        else value += character;
      }
    };
    input.on('data', onData);
  });
}

/** On a terminal: a hidden prompt, asked twice. Otherwise: the first line of standard input. */
export async function readPassword(prompt: string, input: NodeJS.ReadStream, output: Writable): Promise<string> {
  if (!input.isTTY) return readFirstLine(input);
  const first = await promptHidden(prompt, input, output);
  const second = await promptHidden('Again, to be sure: ', input, output);
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}
