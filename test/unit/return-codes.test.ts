import { describe, expect, it } from 'vitest';
import { UpstreamCodeError, withoutStack } from '../../src/upstream/errors.js';
import { FAILURE_CODES, RETURN_CODES, returnCodeByName, returnCodeByNumber } from '../../src/upstream/return-codes.js';

describe('return-code table', () => {
  it('holds SUCCESS and exactly the 20 documented failures, unique by number and name', () => {
    expect(RETURN_CODES).toHaveLength(21);
    expect(FAILURE_CODES).toHaveLength(20);
    expect(new Set(RETURN_CODES.map((c) => c.code)).size).toBe(21);
    expect(new Set(RETURN_CODES.map((c) => c.codename)).size).toBe(21);
    expect(FAILURE_CODES.map((c) => c.code)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, -100, -500, -999]);
  });

  it('marks as retryable exactly the transient and re-sign codes', () => {
    expect(RETURN_CODES.filter((c) => c.retryable).map((c) => c.codename)).toEqual([
      'TIMESTAMP_OVERTIME',
      'API_CALL_REPEAT',
      'API_SYSTEM_CALL_ERROR',
      'UNKNOWN_ERROR',
    ]);
  });

  it('looks codes up by number and by name', () => {
    expect(returnCodeByNumber(7)?.codename).toBe('SIGN_WRONG');
    expect(returnCodeByName('API_CALL_REPEAT')?.code).toBe(-100);
    expect(returnCodeByNumber(9990001)).toBeUndefined();
  });
});

describe('UpstreamCodeError', () => {
  it('takes its code from the table for a public code', () => {
    const error = new UpstreamCodeError({ code: -500, codename: 'API_SYSTEM_CALL_ERROR', cid: 'c1', method: 'm' });
    expect(error.code).toBe('API_SYSTEM_CALL_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ code: -500, codename: 'API_SYSTEM_CALL_ERROR', cid: 'c1', method: 'm' });
  });

  it('passes a business code through as UPSTREAM_ERROR with its number and codename', () => {
    const error = new UpstreamCodeError({ code: 9990001, codename: 'TOKEN_NOT_EXIST', cid: null, method: 'm' });
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.codename).toBe('TOKEN_NOT_EXIST');
    expect(error.upstreamCode).toBe(9990001);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('opretail m failed: TOKEN_NOT_EXIST (9990001)');
  });

  it('carries no stack frames (an intended failure; an outage builds thousands a second), and leaves other errors theirs', () => {
    const error = new UpstreamCodeError({ code: -500, codename: 'API_SYSTEM_CALL_ERROR', cid: null, method: 'm' });
    expect(error.stack).toBe(`UpstreamCodeError: ${error.message}`);
    expect(withoutStack(() => new Error('quiet')).stack).toBe('Error: quiet');
    expect(new Error('loud').stack).toMatch(/\n\s+at /);
  });
});
