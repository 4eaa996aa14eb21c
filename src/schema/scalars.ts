import { GraphQLScalarType, type ValueNode } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { builder } from './builder.js';

/**
 * graphql-scalars' LocalDate rejects impossible dates such as 2026-02-30 when it parses input. Output dates are
 * ones the gateway already validated (they came in through this scalar or from day arithmetic on such), so they
 * are serialized as they are: re-validating two dates per figure cost a dashboard a few percent.
 */
const LocalDate = new GraphQLScalarType({
  ...LocalDateResolver.toConfig(),
  serialize: (value) => (typeof value === 'string' ? value : LocalDateResolver.serialize(value)),
  parseValue: (value) => checkedDate(() => LocalDateResolver.parseValue(value)),
  parseLiteral: (node: ValueNode, variables) => checkedDate(() => LocalDateResolver.parseLiteral(node, variables)),
});

/**
 * A date the vendor can take: a real calendar day `yyyy-MM-dd` from 0001-01-01 to 9999-12-31. (JavaScript's
 * Date, which graphql-scalars checks with, knows a year 0000; the vendor does not.) The message says the format;
 * a plain error (not a GraphQLError), so graphql-js prefixes it with the argument or variable and its location.
 */
function checkedDate(parse: () => unknown): string {
  let value: unknown;
  try {
    value = parse();
  } catch (error) {
    throw new TypeError(`Expected a date as yyyy-MM-dd from 0001-01-01 to 9999-12-31 (${error instanceof Error ? error.message : 'invalid'}).`);
  }
  if (typeof value !== 'string' || value.startsWith('0000')) {
    throw new TypeError(`Expected a date as yyyy-MM-dd from 0001-01-01 to 9999-12-31, got ${JSON.stringify(value)}.`);
  }
  return value;
}

builder.addScalarType('LocalDate', LocalDate, {
  description:
    'A calendar date without time zone, `yyyy-MM-dd` (RFC 3339 full-date), in the store’s local calendar (Beijing time for opretail stores).',
});

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant, RFC 3339 date-time in UTC (e.g. `2026-05-10T04:00:00.000Z`).',
});
