import { describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config/config.js';
import { readEnvExample, settingsTheConfigReads, suggestedEntry } from '../support/config-settings.js';

/** The parsed configuration minus what is random per parse, for comparing defaults. */
function comparable(env: Record<string, string>): Omit<Config, 'sessionKeys'> | string[] {
  const result = parseConfig(env);
  if (!result.ok) return result.problems;
  const { sessionKeys: _random, ...rest } = result.config;
  return rest;
}

describe('.env.example is kept in step with the configuration', () => {
  const read = settingsTheConfigReads();
  const example = readEnvExample();

  it('the settings are found from the config code itself', () => {
    // A guard on the finder: if it found nothing, the checks below would prove nothing.
    expect(read).toEqual(
      expect.arrayContaining([
        'NODE_ENV',
        'PORT',
        'DATABASE_URL',
        'SESSION_KEYS',
        'TRUST_PROXY',
        'BASIC_CACHE_MAX_ENTRIES',
      ]),
    );
  });

  it('lists every setting the config reads', () => {
    const missing = read.filter((name) => !example.has(name));
    const advice = missing.map(
      (name) =>
        `add to .env.example (the value is the default; empty when there is none):\n\n${suggestedEntry(name)}\n`,
    );
    expect(missing, advice.join('\n')).toEqual([]);
  });

  it('names no setting the config does not read', () => {
    const unread = [...example.keys()].filter((name) => !read.includes(name));
    const advice = unread.map(
      (name) => `remove ${name} from .env.example: nothing in src/config/ reads it (or make parseConfig read it)`,
    );
    expect(unread, advice.join('\n')).toEqual([]);
  });

  it('says what each setting means and what its default is', () => {
    const undescribed = [...example]
      .filter(([, entry]) => !/\S.*Default: \S/.test(entry.comment))
      .map(([name]) => name);
    expect(undescribed, 'put "# <meaning>. Default: <default>." right above each of these in .env.example').toEqual([]);
  });

  it('gives each setting its default value, so copying it to .env changes nothing', () => {
    const defaults = comparable({});
    const notDefault = [...example]
      .filter(
        ([name, { value }]) =>
          value !== '' && JSON.stringify(comparable({ [name]: value })) !== JSON.stringify(defaults),
      )
      .map(([name, { value }]) => `${name}=${value}`);
    expect(notDefault, 'these values in .env.example are not what the config uses when the setting is unset').toEqual(
      [],
    );
    const whole = Object.fromEntries([...example].map(([name, { value }]) => [name, value]));
    expect(comparable(whole)).toEqual(defaults);
  });
});
