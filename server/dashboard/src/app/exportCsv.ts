import { ApiError } from './api';
import { storedKey } from './session';

/**
 * Downloads the first list a GraphQL query answers as CSV, through the server's generic `POST /export.csv` with the
 * signed-in key in the Authorization header (never in a URL), then hands the file to the browser as a Blob.
 * Returns the number of rows the server says it wrote.
 */
export async function downloadCsv(query: string, variables: Record<string, unknown>, fileName: string): Promise<number> {
  const key = storedKey();
  if (!key) throw new ApiError('unauthenticated', 'Sign in with an API key.');
  let response: Response;
  try {
    response = await fetch('/export.csv', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('network', 'The service cannot be reached. Check your connection and try again.');
  }
  if (response.status === 401) throw new ApiError('unauthenticated', 'The server did not accept this API key. Sign in again.');
  if (response.status === 429) throw new ApiError('rateLimited', `Too many requests: retry in ${response.headers.get('retry-after') ?? 'a few'} s.`, Number(response.headers.get('retry-after')) || undefined);
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { errors?: Array<{ message: string; extensions?: { code?: string; retryAfterSeconds?: number } }> } | null;
    const first = body?.errors?.[0];
    if (first?.extensions?.code === 'ANSWER_PENDING') throw new ApiError('pending', 'The list is still being computed; try the download again in a moment.', first.extensions.retryAfterSeconds);
    throw new ApiError('other', first?.message ?? `The export answered HTTP ${response.status}.`);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return Number(response.headers.get('grapevine-export-rows') ?? 0);
}
