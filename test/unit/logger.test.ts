import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines at or above the level, with notice between info and warn', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'notice', destination });
    logger.debug('d');
    logger.info('i');
    logger.notice('listening on http://127.0.0.1:1/graphql');
    logger.warn('w', { n: 1 });
    logger.error('e', new Error('boom'));
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['notice', 'listening on http://127.0.0.1:1/graphql'],
      ['warn', 'w'],
      ['error', 'e'],
    ]);
    expect(lines[1]).toMatchObject({ n: 1 });
    expect((lines[2]!.err as { message: string }).message).toBe('boom');
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('redacts secret-looking fields whatever a caller passes', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'debug', destination });
    logger.info('oops', { password: 'pw-canary', headers: { authorization: 'Bearer key-canary' }, nested: { appSecret: 'secret-canary', token: 'tok-canary' } });
    const text = JSON.stringify(lines);
    for (const canary of ['pw-canary', 'key-canary', 'secret-canary', 'tok-canary']) expect(text).not.toContain(canary);
    expect(text).toContain('[redacted]');
  });
});
