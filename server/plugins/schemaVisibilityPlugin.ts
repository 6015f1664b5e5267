import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import { ERROR_CODES } from '../../graph/errors';
import type { Role } from '../config';
import type { RequestContext } from '../context';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);
// The hint graphql-js appends to validation and variable errors; the same pattern Apollo's
// hideSchemaDetailsFromClientErrors strips, applied here per key rather than for everyone.
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export function selectsIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (INTROSPECTION_FIELDS.has(node.name.value)) found = true;
    },
  });
  return found;
}

/**
 * In production the schema is shown only to roles allowed to see it (SCHEMA_DETAILS_ROLES, admin by
 * default): for every other key, introspection (`__schema`, `__type`; `__typename` stays) is refused
 * with FORBIDDEN before anything resolves, and "Did you mean …?" hints are cut from error messages,
 * so that a leaked service key does not map the API. Apollo's own `introspection` and
 * `hideSchemaDetailsFromClientErrors` options are all-or-nothing; this is the per-key form of both.
 * Outside production it does nothing.
 */
export function schemaVisibilityPlugin(options: { production: boolean; allowedRoles: readonly Role[] }): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (!options.production || options.allowedRoles.includes(contextValue.caller.role)) return;
      return {
        async didResolveOperation({ document }) {
          if (selectsIntrospection(document)) {
            throw new GraphQLError('Introspection is not available to this API key.', {
              extensions: { code: ERROR_CODES.FORBIDDEN, http: { status: 403 } },
            });
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) =>
            SUGGESTION.test(error.message) ? { ...error, message: error.message.replace(SUGGESTION, '') } : error,
          );
        },
      };
    },
  };
}
