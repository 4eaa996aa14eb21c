import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { builder } from './builder.js';

// graphql-scalars' LocalDate rejects impossible dates such as 2026-02-30 at parse time.
builder.addScalarType('LocalDate', LocalDateResolver, {
  description:
    'A calendar date without time zone, `yyyy-MM-dd` (RFC 3339 full-date), in the store’s local calendar (Beijing time for opretail stores).',
});

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant, RFC 3339 date-time in UTC (e.g. `2026-05-10T04:00:00.000Z`).',
});
