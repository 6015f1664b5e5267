import type { RequestHandler } from 'express';
import { GraphQLError, parse } from 'graphql';
import type { Config } from '../config';
import { checkDocumentBounds } from '../bounds/documentBounds';
import { errorBody } from './locals';

type BoundsConfig = Pick<Config, 'MAX_QUERY_TOKENS' | 'MAX_QUERY_SELECTIONS' | 'MAX_QUERY_DEPTH'>;

/**
 * Refuses a document too large to validate cheaply before Apollo sees it (Apollo offers no hook between
 * parsing and validation that may refuse a request). Parsing twice costs little: the parser stops at
 * MAX_QUERY_TOKENS. A document that does not parse goes on to Apollo, which reports the syntax error.
 */
export function documentBounds(config: BoundsConfig): RequestHandler {
  return (req, res, next) => {
    const query: unknown = req.method === 'GET' ? req.query?.query : (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') {
      next();
      return;
    }
    try {
      const document = parse(query, { maxTokens: config.MAX_QUERY_TOKENS, noLocation: true });
      checkDocumentBounds(document, { maxSelections: config.MAX_QUERY_SELECTIONS, maxDepth: config.MAX_QUERY_DEPTH });
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      if (typeof code === 'string') {
        res.status(400).json(errorBody(error instanceof Error ? error.message : String(error), code));
        return;
      }
      // A syntax error, or a document nested so deep that the parser ran out of stack: Apollo parses it
      // again and answers GRAPHQL_PARSE_FAILED.
    }
    next();
  };
}
