import { GraphiQL, type GraphiQLProps } from 'graphiql';
import 'graphiql/style.css';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { storedKey } from '../app/session';
import './explorer.css';

// GraphiQL, bundled with the dashboard and served by the API at GET /graphql (Accept: text/html). It sends every
// operation with the key the dashboard's sign-in keeps in this tab's session storage; the key never appears in
// the headers editor, the URL or the history.

const DEFAULT_QUERY = `# Signed in from the dashboard: the Authorization header is sent for you.
{
  serviceInfo { role version }
  degreesOfSeparation(from: "c5", to: "c1234") { degrees path { id name } }
}
`;

const fetcher: GraphiQLProps['fetcher'] = async (params) => {
  const key = storedKey();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(params),
  });
  return response.json();
};

/**
 * The standard introspection query nests `ofType` nine deep, past the API's MAX_QUERY_DEPTH (10 with the fields
 * around it), so the API refuses it (QUERY_TOO_DEEP). No type in this schema wraps deeper than `[ID!]!`
 * (NON_NULL → LIST → NON_NULL → named), so four levels say everything and the query stays within the bounds.
 */
const SHALLOW_TYPE_REF = `fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
}`;
const INTROSPECTION = getIntrospectionQuery({ descriptions: true }).replace(/fragment TypeRef on __Type \{[\s\S]*$/, SHALLOW_TYPE_REF);

/** The schema for docs and completion, or null when this key may not introspect (production, non-admin roles). */
function useSchema(): { schema: GraphQLSchema | null | undefined; note?: string } {
  const [state, setState] = useState<{ schema: GraphQLSchema | null | undefined; note?: string }>({ schema: undefined });
  useEffect(() => {
    void (async () => {
      try {
        const answer = (await fetcher({ query: INTROSPECTION, operationName: 'IntrospectionQuery' }, {})) as { data?: IntrospectionQuery; errors?: Array<{ message: string }> };
        if (answer.data && !answer.errors) setState({ schema: buildClientSchema(answer.data) });
        else setState({ schema: null, note: answer.errors?.[0]?.message ?? 'The schema could not be read.' });
      } catch (error) {
        setState({ schema: null, note: (error as Error).message });
      }
    })();
  }, []);
  return state;
}

function Explorer() {
  if (!storedKey()) {
    return (
      <main className="explorer-sign-in">
        <h1>GraphQL explorer</h1>
        <p>
          Sign in on the <a href="/">dashboard</a> first (in this tab): the explorer sends your requests with that key.
        </p>
      </main>
    );
  }
  return <SignedInExplorer />;
}

function SignedInExplorer() {
  const { schema, note } = useSchema();
  if (schema === undefined) return <p className="explorer-sign-in">Loading the schema…</p>;
  return (
    <div className="explorer-frame">
      {note && (
        <p className="explorer-note" role="status">
          No schema documentation for this key: {note}
        </p>
      )}
      <GraphiQL fetcher={fetcher} schema={schema} defaultQuery={DEFAULT_QUERY} isHeadersEditorEnabled={false} />
    </div>
  );
}

createRoot(document.getElementById('explorer')!).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
