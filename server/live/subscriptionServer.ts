import type http from 'node:http';
import { getOperationAST, GraphQLError, GraphQLFormattedError, GraphQLSchema, parse, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ERROR_CODES } from '../../graph/errors';
import type { Caller } from '../auth';
import { checkOperationSize, measureOperation } from '../bounds/limits';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import type { Logger } from '../logger';

type SubscriptionLimits = Pick<
  Config,
  'MAX_QUERY_DEPTH' | 'MAX_QUERY_COST' | 'MAX_ROOT_FIELDS' | 'MAX_QUERY_TOKENS' | 'NODE_ENV' | 'SCHEMA_DETAILS_ROLES' | 'WS_MAX_CONNECTIONS_PER_KEY' | 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION'
>;

/** The close code of a WebSocket refused because its key already holds WS_MAX_CONNECTIONS_PER_KEY here. */
export const TOO_MANY_CONNECTIONS = 4429;

export interface SubscriptionServerDeps {
  server: http.Server;
  schema: GraphQLSchema;
  authenticate(authorization: string | undefined): Caller | undefined;
  contextFor(caller: Caller): RequestContext;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  config: SubscriptionLimits;
  log: Logger;
}

export interface SubscriptionServer {
  /** Closes every WebSocket (code 1001) and stops accepting new ones. */
  close(): Promise<void>;
}

const refuse = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];

// As server/plugins/schemaVisibilityPlugin.ts over HTTP: in production, keys outside SCHEMA_DETAILS_ROLES get no
// "Did you mean …?" hints, which would map the schema for them.
const SUGGESTION = / ?Did you mean(.+?)\?$/;
/** Errors of the document, with the codes Apollo gives them over HTTP, and hints only when allowed. */
const documentErrors = (errors: readonly GraphQLError[], code: string, hints: boolean) =>
  errors.map((error) => new GraphQLError(hints ? error.message : error.message.replace(SUGGESTION, ''), { nodes: error.nodes, extensions: { ...error.extensions, code } }));

/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the API's own HTTP server and path
 * (`/graphql`): queries and mutations stay on HTTP POST. The key comes in `connectionParams.authorization`
 * as `Bearer <key>`, checked by the same authenticator as HTTP; an unknown key closes the socket with 4403.
 * Each subscription is parsed with the same token limit, validated, and measured with the same depth, cost
 * and root-field limits as an HTTP operation; resolvers get a context with the caller's role, so the same
 * role rules hold (a MARKETER asking for `customer.email` gets FORBIDDEN). A key holds at most
 * WS_MAX_CONNECTIONS_PER_KEY sockets in this process (one more is closed with 4429) and a socket at most
 * WS_MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions (one more is refused with RATE_LIMITED), so no client can pin
 * the process's memory with idle sockets or subscriptions.
 */
export function startSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { schema, config } = deps;
  const wsServer = new WebSocketServer({ server: deps.server, path: '/graphql', maxPayload: 1024 * 1024 });
  const callers = new WeakMap<object, Caller>();
  const connectionsPerKey = new Map<string, number>();
  const cleanup = useServer(
    {
      schema,
      onConnect: (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const caller = deps.authenticate(typeof authorization === 'string' ? authorization : undefined);
        if (!caller) return false;
        const held = connectionsPerKey.get(caller.keyId) ?? 0;
        if (held >= config.WS_MAX_CONNECTIONS_PER_KEY) {
          ctx.extra.socket.close(TOO_MANY_CONNECTIONS, `This API key already holds ${held} WebSockets here`);
          return false;
        }
        connectionsPerKey.set(caller.keyId, held + 1);
        callers.set(ctx.extra, caller);
        return true;
      },
      onClose: (ctx) => {
        const caller = callers.get(ctx.extra);
        if (!caller) return;
        callers.delete(ctx.extra);
        const held = (connectionsPerKey.get(caller.keyId) ?? 1) - 1;
        if (held > 0) connectionsPerKey.set(caller.keyId, held);
        else connectionsPerKey.delete(caller.keyId);
      },
      onSubscribe: (ctx, _id, payload) => {
        const caller = callers.get(ctx.extra);
        if (!caller) return refuse('Not authenticated.', ERROR_CODES.UNAUTHENTICATED);
        // graphql-ws registers this subscription before onSubscribe runs: the count includes it.
        if (Object.keys(ctx.subscriptions).length > config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return refuse(`A WebSocket holds at most ${config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions; complete one first.`, ERROR_CODES.RATE_LIMITED);
        }
        const hints = config.NODE_ENV !== 'production' || config.SCHEMA_DETAILS_ROLES.includes(caller.role);
        try {
          let document;
          try {
            document = parse(payload.query, { maxTokens: config.MAX_QUERY_TOKENS });
          } catch (error) {
            if (error instanceof GraphQLError) return documentErrors([error], ERROR_CODES.GRAPHQL_PARSE_FAILED, hints);
            throw error;
          }
          const errors = validate(schema, document);
          if (errors.length > 0) return documentErrors(errors, ERROR_CODES.GRAPHQL_VALIDATION_FAILED, hints);
          const operation = getOperationAST(document, payload.operationName);
          if (!operation) return refuse('The document names no operation to run.', ERROR_CODES.OPERATION_RESOLUTION_FAILURE);
          if (operation.operation !== 'subscription') {
            return refuse('Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST.', ERROR_CODES.OPERATION_NOT_SUPPORTED);
          }
          const variables = payload.variables ?? {};
          const size = measureOperation(schema, document, operation, variables, config.MAX_QUERY_DEPTH);
          checkOperationSize(size, { maxDepth: config.MAX_QUERY_DEPTH, maxCost: config.MAX_QUERY_COST, maxRootFields: config.MAX_ROOT_FIELDS });
          return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue: deps.contextFor(caller) };
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return result;
        return { ...result, errors: result.errors.map((error) => deps.formatError((error as GraphQLError).toJSON(), error)) } as never;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => deps.formatError(error.toJSON(), error)) as never,
    },
    wsServer,
  );
  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
