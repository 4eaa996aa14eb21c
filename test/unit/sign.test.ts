import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signParams } from '../../src/upstream/sign.js';

const vector1 = {
  _aid: 'S107',
  _akey: 'test',
  _mt: 'open.demo.queryOpenAccount',
  _requestMode: 'post',
  _sm: 'md5',
  _timestamp: '20171221132407',
  _version: 'v1',
  orgid: '1',
};

describe('signParams — the upstream doc vectors', () => {
  it('vector 1: the vendor example (md5)', () => {
    expect(signParams(vector1, 'test', 'md5')).toBe('5489704B80A47394025527D6D51FB582');
  });

  it('vector 2: vector 1 with _sm=sha1 gives 40 uppercase hex characters', () => {
    expect(signParams({ ...vector1, _sm: 'sha1' }, 'test', 'sha1')).toBe('B2E75E1629DFD7058F414AB09A38B8F759CCE6C4');
  });

  it('vector 3: 31-character secret, dashes in values', () => {
    const params = {
      _aid: 'S107',
      _akey: 'S107-0000xxxx',
      _mt: 'open.gateway.getBusinessOrg',
      _requestMode: 'post',
      _sm: 'md5',
      _timestamp: '20191128141620',
      _version: 'v1',
      orgid: '11111',
      starttime: '--------',
      endtime: '-----',
    };
    expect(signParams(params, 'x'.repeat(31), 'md5')).toBe('B657F7CA341BB5C9C162603B9389DAA9');
  });

  it('vector 4: getPassengerIndicatorData with spaces in values and ordinal (not locale) order', () => {
    const params = {
      _aid: 'S107',
      _akey: 'test',
      _format: 'json',
      _mt: 'open.shopweb.passengerFlow.getPassengerIndicatorData',
      _requestMode: 'post',
      _sm: 'md5',
      _timestamp: '20260510120000',
      _version: 'v1',
      depId: '174679',
      startTime: '2026-05-10 00:00:00',
      endTime: '2026-05-10 23:59:59',
      isOnBusinessTime: '0',
    };
    expect(signParams(params, 'test', 'md5')).toBe('A7A5BA094CC95DC22578CAA6D2835131');
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
