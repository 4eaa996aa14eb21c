import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('createLogger', () => {
  it('drops lines below the level but always writes notices', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { n: 1 });
    logger.notice('listening on http://127.0.0.1:1/graphql');
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual(['WARN w {"n":1}', 'NOTICE listening on http://127.0.0.1:1/graphql']);
  });
});
