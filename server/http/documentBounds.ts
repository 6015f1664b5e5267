import type { RequestHandler } from 'express';
import { GraphQLError, parse } from 'graphql';
import type { Config } from '../config';
import { checkDocumentBounds } from '../bounds/documentBounds';
import { errorBody } from './locals';

type BoundsConfig = Pick<Config, 'MAX_QUERY_TOKENS' | 'MAX_QUERY_SELECTIONS' | 'MAX_QUERY_DEPTH'>;

/** Why a document was refused (its message and code), or null when it passed or did not parse. */
type Verdict = { message: string; code: string } | null;

/** Verdicts kept per query text: clients send the same few documents again and again. */
const VERDICTS_KEPT = 500;
/** Longer texts are checked every time rather than kept (a kept text costs its length in memory). */
const LONGEST_KEPT = 10_000;

/**
 * Refuses a document too large to validate cheaply before Apollo sees it (Apollo offers no hook between
 * parsing and validation that may refuse a request). Parsing twice costs little: the parser stops at
 * MAX_QUERY_TOKENS. A document that does not parse goes on to Apollo, which reports the syntax error.
 * The verdict depends on the text alone, so it is kept per text (as Apollo keeps parsed documents): a
 * document sent before is neither parsed nor walked again.
 */
export function documentBounds(config: BoundsConfig): RequestHandler {
  const verdicts = new Map<string, Verdict>();
  const judge = (query: string): Verdict => {
    try {
      const document = parse(query, { maxTokens: config.MAX_QUERY_TOKENS, noLocation: true });
      checkDocumentBounds(document, { maxSelections: config.MAX_QUERY_SELECTIONS, maxDepth: config.MAX_QUERY_DEPTH });
      return null;
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      // A syntax error, or a document nested so deep that the parser ran out of stack: Apollo parses it
      // again and answers GRAPHQL_PARSE_FAILED.
      return typeof code === 'string' ? { message: error instanceof Error ? error.message : String(error), code } : null;
    }
  };
  return (req, res, next) => {
    const query: unknown = req.method === 'GET' ? req.query?.query : (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') {
      next();
      return;
    }
    let verdict = verdicts.get(query);
    if (verdict === undefined) {
      verdict = judge(query);
      if (query.length <= LONGEST_KEPT) {
        if (verdicts.size >= VERDICTS_KEPT) verdicts.delete(verdicts.keys().next().value!);
        verdicts.set(query, verdict);
      }
    }
    if (verdict) {
      res.status(400).json(errorBody(verdict.message, verdict.code));
      return;
    }
    next();
  };
}
