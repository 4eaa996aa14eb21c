import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signParams } from '../../src/upstream/sign.js';
import { SIGNATURE_VECTORS } from '../fixtures/signature-vectors.js';

describe('signParams — the upstream doc vectors', () => {
  it.each(SIGNATURE_VECTORS)('vector $name', ({ params, secret, method, sig }) => {
    expect(signParams(params, secret, method)).toBe(sig);
  });
});

describe('signParams — properties', () => {
  it('ignores _sig and the insertion order of parameters', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), fc.string(), (params, secret) => {
        const reversed = Object.fromEntries(Object.entries(params).reverse());
        const withSig = { ...params, _sig: 'ANYTHING' };
        const sig = signParams(params, secret, 'md5');
        expect(signParams(reversed, secret, 'md5')).toBe(sig);
        expect(signParams(withSig, secret, 'md5')).toBe(sig);
        expect(sig).toMatch(/^[0-9A-F]{32}$/);
      }),
    );
  });

  it('sorts by code unit: "startTime" comes before "starthour" (localeCompare would not)', () => {
    const secret = 's';
    // Expected string built by hand: 'T' (0x54) < 'h' (0x68).
    const manual = 's' + 'startTime1' + 'starthour2' + 's';
    const expected = createHash('md5').update(manual, 'utf8').digest('hex').toUpperCase();
    expect(signParams({ starthour: '2', startTime: '1' }, secret, 'md5')).toBe(expected);
  });

  it('hashes UTF-8 bytes: CJK and emoji values', () => {
    const expected = createHash('sha1').update(Buffer.from('k' + 'name门店😀' + 'k', 'utf8')).digest('hex').toUpperCase();
    expect(signParams({ name: '门店😀' }, 'k', 'sha1')).toBe(expected);
  });

  it('survives form encoding: decode(encode(params)) signs the same', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, unit: 'grapheme' }),
          fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('a&b=c', '100%', '1+1', ' lead', '门店', '😀', '')),
        ),
        (params) => {
          const decoded = Object.fromEntries(new URLSearchParams(new URLSearchParams(params).toString()));
          expect(signParams(decoded, 'secret', 'md5')).toBe(signParams(params, 'secret', 'md5'));
        },
      ),
    );
  });
});
