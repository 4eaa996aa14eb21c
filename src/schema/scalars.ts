import { LocalDateResolver } from 'graphql-scalars';
import { builder } from './builder.js';

// graphql-scalars' LocalDate rejects impossible dates such as 2026-02-30 at parse time.
builder.addScalarType('LocalDate', LocalDateResolver, {
  description:
    'A calendar date without time zone, `yyyy-MM-dd` (RFC 3339 full-date), in the store’s local calendar (Beijing time for opretail stores).',
});
