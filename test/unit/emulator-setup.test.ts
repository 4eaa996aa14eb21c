import { describe, expect, it } from 'vitest';
import { CliUsageError, parseEmulatorCliArgs } from '../../src/emulator/cli-args.js';
import { createFaultInjector, type Fault } from '../../src/emulator/faults.js';
import { parseEmulatorKeys, resolveEmulatorKeys } from '../../src/emulator/keys.js';
import { createReplayGuard } from '../../src/emulator/replay-guard.js';
import { createSeededRandom } from '../../src/emulator/seeded-random.js';

// How the emulator is set up: keys, CLI flags, fault selection, replay memory.

describe('EMULATOR_KEYS', () => {
  describe('EMULATOR_KEYS', () => {
    it('parses key:secret pairs, splitting each on the first colon', () => {
      expect(parseEmulatorKeys('a:b, c:d:e ,f:https://x')).toEqual([
        { key: 'a', secret: 'b' },
        { key: 'c', secret: 'd:e' },
        { key: 'f', secret: 'https://x' },
      ]);
    });

    it.each([
      ['', /empty/],
      ['  ', /empty/],
      ['a:b,', /entry #2 is empty/],
      ['a:b,,c:d', /entry #2 is empty/],
      ['justakey', /entry #1 has no ':'/],
      [':secret', /entry #1 has an empty key/],
      ['a:', /entry #1 \(key "a"\) has an empty secret/],
      ['a:1,a:2', /entry #2: key "a" is listed twice/],
    ])('throws a clear error on %j', (text, message) => {
      expect(() => parseEmulatorKeys(text)).toThrow(message);
    });

    it('never puts a secret in an error message', () => {
      expect(() => parseEmulatorKeys('k:topsecret,k:topsecret')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('topsecret') }));
    });

    it('resolves options, then EMULATOR_KEYS, then the demo key', () => {
      expect(resolveEmulatorKeys([{ key: 'x', secret: 'y', aid: 'A' }], { EMULATOR_KEYS: 'e:f' })).toEqual([{ key: 'x', secret: 'y', aid: 'A' }]);
      expect(resolveEmulatorKeys(undefined, { EMULATOR_KEYS: 'e:f' })).toEqual([{ key: 'e', secret: 'f' }]);
      expect(resolveEmulatorKeys(undefined, {})).toEqual([{ key: 'demo-key', secret: 'demo-secret' }]);
      expect(resolveEmulatorKeys(undefined, { EMULATOR_KEYS: '' })).toEqual([{ key: 'demo-key', secret: 'demo-secret' }]);
      expect(() => resolveEmulatorKeys([{ key: 'x', secret: '' }])).toThrow(/secret must be a non-empty string/);
      expect(() => resolveEmulatorKeys([{ key: 'x', secret: 'a' }, { key: 'x', secret: 'b' }])).toThrow(/listed twice/);
    });
  });
});

describe('CLI flags', () => {
  describe('emulator CLI flags', () => {
    it('has defaults', () => {
      expect(parseEmulatorCliArgs([])).toEqual({ port: 0, host: '127.0.0.1', latencyMs: 0, timestampWindowSeconds: 300, requireToken: false, help: false });
    });

    it('parses every flag', () => {
      expect(
        parseEmulatorCliArgs(['--port', '8088', '--host', '0.0.0.0', '--latency-ms', '25', '--timestamp-window=60', '--require-token']),
      ).toEqual({ port: 8088, host: '0.0.0.0', latencyMs: 25, timestampWindowSeconds: 60, requireToken: true, help: false });
    });

    it.each([
      [['--bogus'], /Unknown option '--bogus'/],
      [['--port'], /argument missing|--port/],
      [['--port', 'abc'], /--port must be a whole number, got "abc"/],
      [['--port', '-1'], /--port/],
      [['--port', '70000'], /--port must be between 0 and 65535/],
      [['--latency-ms', '1.5'], /--latency-ms must be a whole number/],
      [['--timestamp-window', '0'], /--timestamp-window must be between 1/],
      [['--host', ''], /--host must not be empty/],
      [['extra'], /positional|Unexpected argument/i],
    ])('rejects %j', (argv, message) => {
      expect(() => parseEmulatorCliArgs(argv)).toThrow(CliUsageError);
      expect(() => parseEmulatorCliArgs(argv)).toThrow(message);
    });
  });
});

describe('faults and replay', () => {
  const call = { method: 'm', depId: '1' };

  describe('fault injector', () => {
    it('resolves the codename from the return-code table or BUSINESS_CODES', () => {
      const injector = createFaultInjector([{ kind: 'code', code: 16, times: 1 }, { kind: 'code', code: 9990001 }], 1);
      expect(injector.pick(call)).toMatchObject({ kind: 'code', code: 16, codename: 'TIMESTAMP_OVERTIME' });
      expect(injector.pick(call)).toMatchObject({ kind: 'code', code: 9990001, codename: 'TOKEN_NOT_EXIST' });
    });

    it('times counts down; depId and method filter', () => {
      const injector = createFaultInjector([{ kind: 'empty', times: 2, depId: 1, method: 'm' }], 1);
      expect(injector.pick({ method: 'other', depId: '1' })).toBeNull();
      expect(injector.pick({ method: 'm', depId: '2' })).toBeNull();
      expect(injector.pick({ method: 'm', depId: null })).toBeNull();
      expect(injector.pick(call)?.kind).toBe('empty');
      expect(injector.pick(call)?.kind).toBe('empty');
      expect(injector.pick(call)).toBeNull();
    });

    it('rate is deterministic per seed and only draws for partial rates', () => {
      const run = (faults: Fault[], seed: number) => {
        const injector = createFaultInjector(faults, seed);
        return Array.from({ length: 64 }, () => injector.pick(call)?.kind ?? '-').join(',');
      };
      const rated: Fault[] = [{ kind: 'reset', rate: 0.25 }];
      expect(run(rated, 42)).toBe(run(rated, 42));
      expect(run(rated, 42)).not.toBe(run(rated, 43));
      // An always-on fault for another method does not shift the rated fault's sequence.
      expect(run([{ kind: 'hang', method: 'x' }, ...rated], 42)).toBe(run(rated, 42));
      const hits = run(rated, 42).split(',').filter((k) => k === 'reset').length;
      expect(hits).toBeGreaterThan(6);
      expect(hits).toBeLessThan(28);
    });

    it('the seeded PRNG is reproducible and in [0, 1)', () => {
      const a = createSeededRandom(1);
      const b = createSeededRandom(1);
      const values = Array.from({ length: 1000 }, () => a());
      expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThan(1);
    });

    it.each([
      [{ kind: 'nope' }, /unknown kind/],
      [{ kind: 'empty', rate: -0.1 }, /rate/],
      [{ kind: 'empty', times: 1.5 }, /times/],
      [{ kind: 'http', status: 99 }, /status/],
      [{ kind: 'code', code: 1.5 }, /integer/],
      [{ kind: 'code', code: 555 }, /codename/],
    ])('rejects %j', (fault, message) => {
      expect(() => createFaultInjector([fault as Fault], 1)).toThrow(message);
    });
  });

  describe('replay guard', () => {
    it('reports a repeat within the retention, case-insensitively, per key, and prunes old entries', () => {
      const guard = createReplayGuard(() => 600_000);
      expect(guard.remember('k', 'ABC', 1_000)).toBeNull();
      expect(guard.remember('k', 'abc', 2_000)).toBe(1_000);
      expect(guard.remember('other', 'ABC', 2_000)).toBeNull();
      expect(guard.remember('k', 'DEF', 3_000)).toBeNull();
      expect(guard.size).toBe(3);
      expect(guard.remember('k', 'GHI', 2_000 + 600_001)).toBeNull();
      expect(guard.size).toBe(2);
      expect(guard.remember('k', 'ABC', 2_000 + 600_002)).toBeNull();
    });
  });
});
