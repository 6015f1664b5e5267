import { useEffect, useState } from 'react';
import { ApiError, graphql } from '../app/api';
import { ALL_ROLES } from '../app/roles';
import { hrefWithQuery, navigate } from '../app/router';
import { CustomerLink } from '../components/CustomerLink';
import { PathDrawing, type PathStep } from '../components/PathDrawing';
import { ErrorMessage, Loading } from '../components/Status';
import type { PageDefinition, PageProps } from './page';

// How two customers are connected: the shortest path (`degreesOfSeparation`), and for each step the kinds of tie
// between its two customers, asked as a one-hop `degreesOfSeparation` per kind (the API's answer for "is there such a tie").

const KINDS = ['KNOWS', 'FOLLOWS', 'REFERRED'] as const;
type Kind = (typeof KINDS)[number];
const KIND_TEXT: Record<Kind, string> = { KNOWS: 'knows', FOLLOWS: 'follows', REFERRED: 'referred' };

const PATH = `query DashboardPath($from: ID!, $to: ID!, $via: [ConnectionKind!]!, $maxHops: Int!) {
  degreesOfSeparation(from: $from, to: $to, via: $via, maxHops: $maxHops) { degrees path { id name } }
}`;

const STEP_KINDS = `query DashboardStepKinds($a: ID!, $b: ID!) {
  KNOWS: degreesOfSeparation(from: $a, to: $b, via: [KNOWS], maxHops: 1) { degrees }
  FOLLOWS: degreesOfSeparation(from: $a, to: $b, via: [FOLLOWS], maxHops: 1) { degrees }
  REFERRED: degreesOfSeparation(from: $a, to: $b, via: [REFERRED], maxHops: 1) { degrees }
}`;

interface Customer {
  id: string;
  name: string | null;
}

interface Answer {
  degrees: number | null;
  path: Customer[];
  steps: PathStep[];
}

async function findConnection(from: string, to: string, via: Kind[], maxHops: number): Promise<Answer> {
  const { degreesOfSeparation } = await graphql<{ degreesOfSeparation: { degrees: number | null; path: Customer[] } }>(PATH, { from, to, via, maxHops });
  const pairs = degreesOfSeparation.path.slice(1).map((customer, i) => [degreesOfSeparation.path[i], customer] as const);
  const steps = await Promise.all(
    pairs.map(async ([a, b]) => {
      const kinds = await graphql<Record<Kind, { degrees: number | null }>>(STEP_KINDS, { a: a.id, b: b.id });
      return { from: a, to: b, kinds: KINDS.filter((kind) => kinds[kind].degrees === 1).map((kind) => KIND_TEXT[kind]) };
    }),
  );
  return { ...degreesOfSeparation, steps };
}

function ConnectionPage({ route }: PageProps) {
  const from = route.query.get('from') ?? '';
  const to = route.query.get('to') ?? '';
  const via = (route.query.get('via')?.split(',').filter((kind): kind is Kind => (KINDS as readonly string[]).includes(kind)) ?? ['KNOWS', 'REFERRED']) as Kind[];
  const maxHops = Number(route.query.get('maxHops') ?? 6);

  const [form, setForm] = useState({ from, to, via, maxHops });
  const [state, setState] = useState<{ loading: boolean; answer?: Answer; error?: ApiError }>({ loading: false });
  const routeKey = `${from}|${to}|${via.join(',')}|${maxHops}`;

  useEffect(() => {
    setForm({ from, to, via, maxHops });
    if (!from || !to) {
      setState({ loading: false });
      return;
    }
    let current = true;
    setState({ loading: true });
    findConnection(from, to, via, maxHops).then(
      (answer) => current && setState({ loading: false, answer }),
      (error: unknown) => current && setState({ loading: false, error: error instanceof ApiError ? error : new ApiError('other', String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [routeKey]); // eslint-disable-line react-hooks/exhaustive-deps -- routeKey stands for the route's parameters

  const answer = state.answer;
  return (
    <>
      <form
        className="card connection-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (form.via.length === 0) return;
          navigate(hrefWithQuery(['connection'], { from: form.from.trim(), to: form.to.trim(), via: form.via.join(','), maxHops: String(form.maxHops) }));
        }}
      >
        <label>
          From customer <input name="from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} required autoComplete="off" />
        </label>
        <label>
          To customer <input name="to" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} required autoComplete="off" />
        </label>
        <fieldset>
          <legend>Through</legend>
          {KINDS.map((kind) => (
            <label key={kind} className="check">
              <input
                type="checkbox"
                name={kind}
                checked={form.via.includes(kind)}
                onChange={(e) => setForm({ ...form, via: e.target.checked ? [...form.via, kind] : form.via.filter((k) => k !== kind) })}
              />{' '}
              {KIND_TEXT[kind]}
            </label>
          ))}
        </fieldset>
        <label>
          Hops at most <input type="number" name="maxHops" min={1} max={10} value={form.maxHops} onChange={(e) => setForm({ ...form, maxHops: Number(e.target.value) })} />
        </label>
        <button type="submit" disabled={form.via.length === 0}>
          Find the path
        </button>
        {form.via.length === 0 && <p className="warning">Choose at least one kind of tie.</p>}
      </form>
      {state.loading && <Loading what="the shortest path" />}
      {state.error && <ErrorMessage error={state.error} />}
      {answer && (
        <section className="card" aria-labelledby="path-heading">
          <h2 id="path-heading" data-testid="degrees">
            {answer.degrees === null
              ? `Not connected within ${maxHops} hops`
              : answer.degrees === 0
                ? 'The same customer'
                : `${answer.degrees} degree${answer.degrees === 1 ? '' : 's'} of separation`}
          </h2>
          {answer.path.length > 1 && (
            <>
              <PathDrawing nodes={answer.path} steps={answer.steps} />
              <ol className="path-steps" data-testid="path-steps">
                {answer.steps.map((step) => (
                  <li key={`${step.from.id}-${step.to.id}`}>
                    <CustomerLink customer={step.from} /> <span className="kinds">— {step.kinds.join(', ') || 'tie'} —</span> <CustomerLink customer={step.to} />
                  </li>
                ))}
              </ol>
            </>
          )}
        </section>
      )}
    </>
  );
}

export const connectionPage: PageDefinition = { path: 'connection', title: 'How you’re connected', roles: ALL_ROLES, Component: ConnectionPage };
