import type { ApolloServer } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import { Kind, OperationTypeNode, parse } from 'graphql';
import { ERROR_CODES } from '../../graph/errors';
import type { RequestContext } from '../context';
import { findList, Json, toCsv } from '../export/csv';

interface ExportRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const refuse = (res: Response, message: string, field: string) =>
  res.status(400).json({ errors: [{ message, extensions: { code: ERROR_CODES.BAD_USER_INPUT, field } }] });

/** The variables of a GET (a JSON text in `variables`) or a POST body. */
function variablesOf(raw: unknown): Record<string, unknown> | undefined {
  const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (value === undefined || value === null) return {};
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * `GET|POST /export.csv`: the CSV export of any list the API answers. The body is a GraphQL request (`query`,
 * `variables`, `operationName`); it runs through the same Apollo pipeline with the caller's key, so the role rules,
 * cost bounds and metrics are those of `/graphql` (a marketer's export never holds an email). Only queries are run.
 *
 * The CSV holds the first list in the answer (see server/export/csv.ts). When the query declares `$after` and the list
 * sits beside a `pageInfo { hasNextPage endCursor }`, the export follows the pages, up to `maxRows` rows; the headers
 * `grapevine-export-rows` and `grapevine-export-truncated` say what was returned.
 */
export function csvExport(apollo: ApolloServer<RequestContext>, contextFor: (res: Response) => RequestContext, maxRows: number): RequestHandler {
  return async (req, res, next) => {
    try {
      const body = (req.method === 'GET' ? req.query : req.body) as ExportRequest | undefined;
      const query = body?.query;
      if (typeof query !== 'string' || query.trim() === '') return void refuse(res, 'Send the GraphQL query to export as `query`.', 'query');
      let variables: Record<string, unknown> | undefined;
      try {
        variables = variablesOf(body?.variables);
      } catch {
        variables = undefined;
      }
      if (!variables) return void refuse(res, '`variables` must be a JSON object.', 'variables');
      const operationName = typeof body?.operationName === 'string' ? body.operationName : undefined;

      let declaresAfter = false;
      try {
        const operations = parse(query, { noLocation: true }).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
        const operation = operations.find((definition) => !operationName || definition.name?.value === operationName) ?? operations[0];
        if (operation && operation.operation !== OperationTypeNode.QUERY) return void refuse(res, 'Only queries can be exported; this is a ' + operation.operation + '.', 'query');
        declaresAfter = operation?.variableDefinitions?.some((definition) => definition.variable.name.value === 'after') ?? false;
      } catch {
        // Apollo reports the syntax error in its own words below.
      }

      const rows: Json[] = [];
      let listPath = 'export';
      let truncated = false;
      for (;;) {
        const response = await apollo.executeOperation({ query, variables, operationName }, { contextValue: contextFor(res) });
        if (response.body.kind !== 'single') return void refuse(res, 'Deferred or streamed answers cannot be exported.', 'query');
        const { data, errors } = response.body.singleResult;
        if (errors?.length) {
          const status = response.http.status ?? 400;
          res.status(status >= 400 ? status : 400);
          for (const [name, value] of response.http.headers) res.setHeader(name, value);
          return void res.json({ errors });
        }
        const found = findList((data ?? null) as Json);
        if (!found) return void refuse(res, 'The answer holds no list to export.', 'query');
        listPath = found.path || listPath;
        rows.push(...found.rows);
        const pageInfo = found.container?.pageInfo as { hasNextPage?: Json; endCursor?: Json } | undefined;
        const more = declaresAfter && pageInfo?.hasNextPage === true && typeof pageInfo.endCursor === 'string';
        if (rows.length >= maxRows) {
          truncated = rows.length > maxRows || more;
          break;
        }
        if (!more) break;
        variables = { ...variables, after: pageInfo.endCursor };
      }
      const exported = rows.slice(0, maxRows);
      res.setHeader('grapevine-export-rows', String(exported.length));
      res.setHeader('grapevine-export-truncated', String(truncated));
      res.setHeader('content-disposition', `attachment; filename="${listPath.split('.')[0].replace(/[^\w-]/g, '') || 'export'}.csv"`);
      res.type('text/csv; charset=utf-8').send(toCsv(exported));
    } catch (error) {
      next(error);
    }
  };
}
