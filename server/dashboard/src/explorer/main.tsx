import { GraphiQL, type GraphiQLProps } from 'graphiql';
import 'graphiql/style.css';
import { StrictMode } from 'react';
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
  return <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} isHeadersEditorEnabled={false} />;
}

createRoot(document.getElementById('explorer')!).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
