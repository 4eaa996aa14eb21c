import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from '../context.js';

/** The one Pothos builder; every type file under `schema/` adds to it. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    ID: { Input: string; Output: string };
    LocalDate: { Input: string; Output: string };
  };
}>({});
