import type { FormattedExecutionResult } from 'graphql';
import { ERROR_CODES } from '../../graph/errors';

/**
 * Apollo's `stringifyResult`: serializes the answer once, as Apollo would, and refuses one larger than
 * `maxBytes` with RESPONSE_TOO_LARGE instead of sending it. The query cost (MAX_QUERY_COST, with the list
 * sizes declared in schema/cost.graphql) already keeps answers far below this; this is the backstop for
 * what the cost cannot see, such as long texts. The status is the one execution chose (200 with errors).
 */
export function boundedStringify(maxBytes: number) {
  return (result: FormattedExecutionResult): string => {
    const text = JSON.stringify(result);
    if (Buffer.byteLength(text) <= maxBytes) return text;
    return JSON.stringify({
      errors: [
        {
          message: `The answer is larger than ${maxBytes} bytes; ask for smaller pages or fewer fields.`,
          extensions: { code: ERROR_CODES.RESPONSE_TOO_LARGE, limit: maxBytes },
        },
      ],
    });
  };
}
