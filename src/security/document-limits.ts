import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, parse, type ValidationContext, type VariableDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../public-errors.js';

export interface DocumentLimits {
  /** Parsing stops after this many tokens (GATEWAY_MAX_TOKENS), so a huge document costs no memory. */
  maxTokens: number;
  /** Deepest selection nesting (GATEWAY_MAX_DEPTH); introspection is exempt. */
  maxDepth: number;
  /** Most aliases per operation (GATEWAY_MAX_ALIASES). */
  maxAliases: number;
  /** Most directives per document (GATEWAY_MAX_DIRECTIVES). */
  maxDirectives: number;
}

/**
 * Brackets nested deeper than this are refused before parsing: graphql-js parses recursively, and a few
 * thousand nested braces overflow the stack. Far above any real query (and above `maxDepth`).
 */
export const MAX_NESTING = 256;

/**
 * Bounds what a document may cost before it is executed: its size in tokens and bracket nesting (at parse
 * time), and its depth, aliases and directives (validation rules from graphql-armor). Every refusal is
 * `QUERY_TOO_COMPLEX` with the limit in the message.
 */
export function useDocumentLimits(limits: DocumentLimits): Plugin {
  const reject = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(gatewayError('QUERY_TOO_COMPLEX', error.message.replace(/^Syntax Error: /, '')));
  const armor = { propagateOnRejection: false, exposeLimits: true, onReject: [reject] };
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        const text = typeof source === 'string' ? source : source.body;
        const nesting = maxNesting(text);
        if (nesting > MAX_NESTING) {
          throw gatewayError('QUERY_TOO_COMPLEX', `The document nests brackets ${nesting > 10_000 ? 'more than 10000' : nesting} deep; the limit is ${MAX_NESTING}.`);
        }
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && /contains more th\w+ \d+ tokens/.test(error.message)) {
            throw gatewayError('QUERY_TOO_COMPLEX', `The document has more than ${limits.maxTokens} tokens (GATEWAY_MAX_TOKENS); parsing stopped there.`);
          }
          throw error;
        }
      });
    },
    onPluginInit({ addPlugin }) {
      addPlugin(maxDepthPlugin({ ...armor, n: limits.maxDepth, ignoreIntrospection: true }));
      addPlugin(maxAliasesPlugin({ ...armor, n: limits.maxAliases }));
      addPlugin(maxDirectivesPlugin({ ...armor, n: limits.maxDirectives }));
      // The executor collects variable values in a plain object, where `__proto__` is the prototype setter:
      // such a variable would silently vanish. Refuse the name instead of answering as if it were missing.
      addPlugin({
        onValidate({ addValidationRule }) {
          addValidationRule((context: ValidationContext) => ({
            VariableDefinition(node: VariableDefinitionNode) {
              if (node.variable.name.value === '__proto__') {
                context.reportError(gatewayError('BAD_USER_INPUT', 'A variable may not be named $__proto__; rename it.'));
              }
            },
          }));
        },
      });
    },
  };
}

/**
 * The deepest nesting of `{`, `(` and `[` outside strings and comments, in one pass without allocation; stops
 * counting once far past any limit.
 */
export function maxNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (text.startsWith('"""', i)) {
        // A block string ends at the next `"""` not escaped as `\"""`; an unterminated one is the parser's to report.
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < text.length && text.charCodeAt(i) !== 0x22 && text.charCodeAt(i) !== 0x0a) {
          if (text.charCodeAt(i) === 0x5c) i++;
          i++;
        }
      }
    } else if (c === 0x7b || c === 0x28 || c === 0x5b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > 10_001) return deepest;
      }
    } else if (c === 0x7d || c === 0x29 || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
