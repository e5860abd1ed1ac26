import { describe, expect, it } from 'vitest';
import { ApiError, unauthenticated } from '../../src/errors/api-error.js';

describe('ApiError', () => {
  it('is an Error with its status, type, message and headers', () => {
    const error = unauthenticated('Invalid credentials', ['Basic realm="gatehouse", charset="UTF-8"']);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe('ApiError');
    expect([error.status, error.type, error.message]).toEqual([401, 'authentication_error', 'Invalid credentials']);
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Basic realm="gatehouse", charset="UTF-8"' });
  });

  it('carries no stack frames (an answer, not a fault), and leaves other errors theirs', () => {
    const error = new ApiError(404, 'not_found_error', 'Not found');
    expect(error.stack ?? '').not.toMatch(/\n\s+at /);
    expect(new Error('a fault').stack).toMatch(/\n\s+at /);
  });
});
