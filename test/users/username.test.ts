import { describe, expect, it } from 'vitest';
import { usernameProblem } from '../../src/users/username.js';

describe('usernames', () => {
  it.each(['carol', 'Carol.Smith', 'c_s-1@example.com', 'a', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(usernameProblem(name)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a colon', 'carol:admin'],
    ['a space', 'carol smith'],
    ['a non-ASCII letter', 'cаrol'],
    ['a slash', 'carol/admin'],
  ])('refuses %s', (_name, username) => {
    expect(usernameProblem(username)).toMatch(/letters, digits/);
  });
});
