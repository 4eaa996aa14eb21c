import { isUnionType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badUserInput } from '../resolvers/errors.js';

/**
 * Makes `_entities` fail per representation, never as a whole: the federation library's resolver throws for
 * the entire list when one representation is not an object or names a type that is not an entity (which a
 * caller would see as INTERNAL_SERVER_ERROR for every entity). Such a representation now gets BAD_USER_INPUT
 * at its own index; valid ones resolve as before.
 */
export function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const union = schema.getType('_Entity');
  if (!field?.resolve || !isUnionType(union)) return schema;
  const entityTypes = new Set(union.getTypes().map((type) => type.name));
  const resolveAll = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }>;
  field.resolve = (source, args: { representations: unknown[] }, context, info) =>
    args.representations.map((representation, index) => {
      const typename = typeof representation === 'object' && representation !== null ? (representation as Record<string, unknown>).__typename : undefined;
      if (typeof typename !== 'string' || !Object.hasOwn(representation as object, '__typename') || !entityTypes.has(typename)) {
        return Promise.reject(
          badUserInput(`representations[${index}] must be an object whose __typename is one of: ${[...entityTypes].join(', ')}.`, 'representations'),
        );
      }
      return (resolveAll(source, { representations: [representation] }, context, info) as unknown[])[0];
    });
  return schema;
}
