import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import type { GatewayContext } from '../context.js';

/** The one Pothos builder; every type file under `schema/` adds to it. Federation comes last, as Pothos asks. */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    ID: { Input: string; Output: string };
    LocalDate: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    Latitude: { Input: number; Output: number };
    Longitude: { Input: number; Output: number };
  };
}>({
  plugins: [DirectivePlugin, FederationPlugin],
});
