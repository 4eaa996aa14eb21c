import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatBeijingDateTime,
  formatBeijingTimestamp,
  parseBeijingDateTime,
  parseBeijingTimestamp,
} from '../../src/emulator/beijing-clock.js';
import { decodeForm, FormDecodeError, mergeParams } from '../../src/emulator/form-decode.js';
import { expectedSignature, parseSignMethod, verifySignature } from '../../src/emulator/verify-signature.js';
import { SIGNATURE_VECTORS } from '../fixtures/signature-vectors.js';

// The emulator's wire-protocol building blocks: its own signature check, strict form decoding, Beijing time.

describe('signature', () => {
  /** Parameters as in the doc's vector tables: space-separated `name=value`, values may hold spaces (vector 4). */
  function params(entries: [string, string][]): Map<string, string> {
    return new Map(entries);
  }

  const VECTORS = SIGNATURE_VECTORS.map((v) => ({ ...v, params: Object.entries(v.params) }));

  describe('emulator signature verification (independent of src/upstream/sign.ts)', () => {
    it.each(VECTORS)('doc vector $name', ({ secret, method, params: entries, sig }) => {
      const received = params([...entries, ['_sig', sig]]);
      expect(expectedSignature(received, secret, method)).toBe(sig);
      expect(verifySignature(received, secret, method, sig)).toBe(true);
      expect(verifySignature(received, secret, method, sig.toLowerCase())).toBe(true);
      expect(verifySignature(received, `${secret}!`, method, sig)).toBe(false);
    });

    it('rejects a signature of the wrong length or content without throwing', () => {
      const [v] = VECTORS;
      if (v === undefined) throw new Error('no vector');
      const received = params(v.params);
      expect(verifySignature(received, v.secret, 'md5', v.sig.slice(0, 31))).toBe(false);
      expect(verifySignature(received, v.secret, 'md5', `${v.sig}0`)).toBe(false);
      expect(verifySignature(received, v.secret, 'md5', `${v.sig.slice(0, 31)}0`)).toBe(false);
      expect(verifySignature(received, v.secret, 'md5', 'é'.repeat(32))).toBe(false);
    });

    it('sorts names by code unit, not localeCompare (startTime < starthour)', () => {
      const p = params([['starthour', '1'], ['startTime', '2']]);
      const ordinal = createHash('md5').update('sstartTime2starthour1s').digest('hex').toUpperCase();
      const locale = createHash('md5').update('sstarthour1startTime2s').digest('hex').toUpperCase();
      expect(expectedSignature(p, 's', 'md5')).toBe(ordinal);
      expect(verifySignature(p, 's', 'md5', locale)).toBe(false);
    });

    it('includes empty values by name, excludes _sig, hashes UTF-8', () => {
      const p = params([['shopId', ''], ['_sig', 'ignored'], ['name', '门店 😀']]);
      const expected = createHash('sha1').update(Buffer.from('kname门店 😀shopIdk', 'utf8')).digest('hex').toUpperCase();
      expect(expectedSignature(p, 'k', 'sha1')).toBe(expected);
    });

    it('parses _sm case-insensitively and nothing else', () => {
      expect([parseSignMethod('md5'), parseSignMethod('MD5'), parseSignMethod('Sha1')]).toEqual(['md5', 'md5', 'sha1']);
      expect([parseSignMethod('sha256'), parseSignMethod(' md5'), parseSignMethod('')]).toEqual([null, null, null]);
    });
  });
});

describe('form decoding', () => {
  describe('strict form decoding', () => {
    it('splits on & and the first =, + is a space, %2B is a plus', () => {
      expect([...decodeForm('a=1&b=x=y&c=a+b%2Bc&d=%E9%97%A8%E5%BA%97')]).toEqual([
        ['a', '1'],
        ['b', 'x=y'],
        ['c', 'a b+c'],
        ['d', '门店'],
      ]);
    });

    it('a name without = has an empty value; empty segments are skipped; the first occurrence wins', () => {
      expect([...decodeForm('flag&&a=1&a=2&=v&e=')]).toEqual([
        ['flag', ''],
        ['a', '1'],
        ['', 'v'],
        ['e', ''],
      ]);
      expect(decodeForm('').size).toBe(0);
    });

    it('decodes names too, and keeps __proto__ as an ordinary name', () => {
      const params = decodeForm('%5Fsig=A&__proto__=x');
      expect(params.get('_sig')).toBe('A');
      expect(params.get('__proto__')).toBe('x');
    });

    it.each(['a=%', 'a=%4', 'a=%G0', 'a=%FF', 'a=%C0%AF', 'a=%ED%A0%80', 'a=%E9%97', '%ZZ=1'])('throws FormDecodeError on %j', (text) => {
      expect(() => decodeForm(text)).toThrow(FormDecodeError);
    });

    it('merges query and body, the body winning', () => {
      const merged = mergeParams(decodeForm('a=q&b=q'), decodeForm('b=body&c=body'));
      expect(Object.fromEntries(merged)).toEqual({ a: 'q', b: 'body', c: 'body' });
    });
  });
});

describe('Beijing time', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  describe('Beijing clock', () => {
    it('reads _timestamp as UTC+8', () => {
      expect(parseBeijingTimestamp('20171221132407')).toBe(Date.UTC(2017, 11, 21, 5, 24, 7));
      expect(parseBeijingTimestamp('20260510000000')).toBe(Date.UTC(2026, 4, 9, 16, 0, 0));
      expect(parseBeijingTimestamp('20240229235959')).toBe(Date.UTC(2024, 1, 29, 15, 59, 59));
      expect(parseBeijingDateTime('2026-05-10 23:59:59')).toBe(Date.UTC(2026, 4, 10, 15, 59, 59));
    });

    it.each([
      '20261301120000', '20260230120000', '20250229120000', '20260431120000', '20260510240000', '20260510126000',
      '20260510120060', '20260010120000', '20260500120000', '00000101000000', '2026051012000', '202605101200000',
      '2026051012000a', '', ' 20260510120000', '２０２６０５１０１２００００',
    ])('rejects _timestamp %j', (text) => {
      expect(parseBeijingTimestamp(text)).toBeNull();
    });

    it('does not map years 0001-0099 to the 1900s', () => {
      expect(parseBeijingTimestamp('00010101080000')).toBe(new Date('0001-01-01T00:00:00Z').getTime());
    });

    it.each(['2026-05-10', '2026-05-10T00:00:00', '2026-5-10 00:00:00', '2026-02-29 00:00:00', '2026-05-10 00:00:00 '])(
      'rejects date-time %j',
      (text) => {
        expect(parseBeijingDateTime(text)).toBeNull();
      },
    );

    it('formats in Beijing time and round-trips', () => {
      const at = Date.UTC(2026, 4, 9, 16, 30, 5);
      expect(formatBeijingTimestamp(at)).toBe('20260510003005');
      expect(formatBeijingDateTime(at)).toBe('2026-05-10 00:30:05');
      expect(parseBeijingTimestamp(formatBeijingTimestamp(at))).toBe(at);
    });

    it.each(['UTC', 'America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati', 'Europe/London'])(
      'gives the same answers with TZ=%s',
      (tz) => {
        process.env.TZ = tz;
        // Proves the TZ change took effect in this process, so the assertions below can fail.
        const expectedOffset = { UTC: 0, 'America/Los_Angeles': 480, 'Asia/Shanghai': -480, 'Pacific/Kiritimati': -840, 'Europe/London': 0 }[tz];
        expect(new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset()).toBe(expectedOffset);
        expect(parseBeijingTimestamp('20260510000000')).toBe(Date.UTC(2026, 4, 9, 16, 0, 0));
        // 2026-03-29 01:30 UTC is inside the Europe/London DST switch hour.
        expect(formatBeijingTimestamp(Date.UTC(2026, 2, 29, 1, 30, 0))).toBe('20260329093000');
        expect(formatBeijingDateTime(Date.UTC(2026, 10, 1, 9, 0, 0))).toBe('2026-11-01 17:00:00');
      },
    );

    it('no emulator source uses a local-time Date getter or setter', () => {
      const dir = join(process.cwd(), 'src/emulator');
      const localTime = /\.(get|set)(FullYear|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds)\(|getTimezoneOffset|toLocale\w*String|new Date\(\s*\d+\s*,/;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
        const offending = readFileSync(join(dir, file), 'utf8').split('\n').filter((line) => localTime.test(line));
        expect(offending, file).toEqual([]);
      }
    });
  });
});
