import { describe, expect, it } from 'vitest';
import { PasswordPolicy } from '../../src/passwords/password-policy.js';

const policy = PasswordPolicy.fromFile();

describe('password policy', () => {
  it('ships a list of a few thousand common passwords', () => {
    expect(policy.commonPasswordCount).toBeGreaterThan(3000);
  });

  it('accepts a long passphrase with no composition rules', () => {
    expect(policy.problem('correct horse battery staple', 'carol')).toBeUndefined();
    expect(policy.problem('all lowercase words here', 'carol')).toBeUndefined();
  });

  it('accepts exactly 8 characters, refuses 7', () => {
    expect(policy.problem('x7Kp2mQa', 'carol')).toBeUndefined();
    expect(policy.problem('x7Kp2mQ', 'carol')).toBe('Password must be at least 8 characters');
  });

  it('counts characters, not bytes, for the minimum', () => {
    expect(policy.problem('ééééééé', 'carol')).toBe('Password must be at least 8 characters');
    expect(policy.problem('éééééééé', 'carol')).toBeUndefined();
  });

  it('accepts 256 characters of any script, refuses 257, however many bytes they take', () => {
    expect(policy.problem('😀'.repeat(256), 'carol')).toBeUndefined();
    expect(policy.problem('ж'.repeat(256), 'carol')).toBeUndefined();
    expect(policy.problem('k'.repeat(257), 'carol')).toBe('Password must be at most 256 characters');
  });

  it('counts characters of the NFC form: a decomposed accent is one character', () => {
    // "e" + combining acute: two code points typed, one character once composed.
    expect(policy.problem('e\u0301'.repeat(7), 'carol')).toBe('Password must be at least 8 characters');
    expect(policy.problem('e\u0301'.repeat(200), 'carol')).toBeUndefined();
  });

  it('refuses a common password typed in decomposed form', () => {
    const custom = PasswordPolicy.fromList(['pâssword123']);
    expect(custom.problem('pa\u0302ssword123', 'carol')).toMatch(/most common/);
  });

  it('accepts 64 characters', () => {
    expect(policy.problem('q'.repeat(64), 'carol')).toBeUndefined();
  });

  it.each(['password', 'password123', '12345678', 'PASSWORD123', 'iloveyou'])(
    'refuses the common password %s, whatever its case',
    (password) => {
      expect(policy.problem(password, 'carol')).toBe('Password is one of the most common passwords; choose another');
    },
  );

  it('refuses a password containing the username or the service name', () => {
    expect(policy.problem('my-name-is-Carol!', 'carol')).toBe('Password must not contain the username');
    expect(policy.problem('my gatehouse pass', 'carol')).toBe('Password must not contain the name of this service');
    // Names this short would refuse good passwords by chance.
    expect(policy.problem('bobcat-rides-again', 'bob')).toBeUndefined();
  });

  it('is built from any list, so tests and deployments can choose theirs', () => {
    const custom = PasswordPolicy.fromList(['Hunter2hunter2', '', '  ']);
    expect(custom.commonPasswordCount).toBe(1);
    expect(custom.problem('hunter2HUNTER2', 'carol')).toMatch(/most common/);
    expect(custom.problem('password123', 'carol')).toBeUndefined();
  });
});
