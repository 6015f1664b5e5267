import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, graphql } from '../app/api';
import { href } from '../app/router';
import { integer } from './format';
import { ErrorMessage, Loading } from './Status';

// The referral tree below a customer, fetched one level at a time: a node's children are asked for when it is
// expanded (with one level more, only to know how many children each child has). A tree of any size therefore
// starts as the customer and their direct referees and grows only where the reader looks.

const CHILDREN = `query DashboardTreeLevel($id: ID!) {
  referralChain(customerId: $id, maxDepth: 2) {
    truncated
    nodeLimit
    downward { depth referrerId status customer { id name stage } }
  }
}`;

interface ChildrenAnswer {
  referralChain: {
    truncated: boolean;
    nodeLimit: number;
    downward: Array<{ depth: number; referrerId: string | null; status: string | null; customer: { id: string; name: string | null; stage: string } }>;
  };
}

export interface TreeNode {
  id: string;
  name: string | null;
  stage: string;
  parentId: string | null;
  /** Direct referees, as counted when the parent level was fetched; null when that answer was cut short. */
  childCount: number | null;
  /** The children's ids once fetched. */
  childIds: string[] | null;
  /** True when the fetched children are not all of them (more than the API's node limit). */
  childrenTruncated: boolean;
  expanded: boolean;
}

const STAGE_COLOURS: Record<string, string> = {
  STRANGER: '#9aa5b1',
  FOLLOWER: '#8fb3d9',
  INTERESTED: '#5c9ad6',
  FAN: '#e3a33b',
  BUYER: '#3f9a5b',
  REPEAT_BUYER: '#23753f',
  LOYAL: '#7a4fa0',
};

async function fetchChildren(parentId: string): Promise<{ children: TreeNode[]; truncated: boolean }> {
  const data = await graphql<ChildrenAnswer>(CHILDREN, { id: parentId });
  const { downward, truncated } = data.referralChain;
  const grandchildren = new Map<string, number>();
  for (const entry of downward) {
    if (entry.depth === 2 && entry.referrerId) grandchildren.set(entry.referrerId, (grandchildren.get(entry.referrerId) ?? 0) + 1);
  }
  const hasDepthTwo = downward.some((entry) => entry.depth === 2);
  const children = downward
    .filter((entry) => entry.depth === 1)
    .map<TreeNode>((entry) => ({
      id: entry.customer.id,
      name: entry.customer.name,
      stage: entry.customer.stage,
      parentId,
      // When the answer was cut, children without counted grandchildren may still have some: unknown.
      childCount: grandchildren.get(entry.customer.id) ?? (truncated ? null : 0),
      childIds: null,
      childrenTruncated: false,
      expanded: false,
    }));
  // Cut within the first level itself: the children listed are not all of them.
  return { children, truncated: truncated && !hasDepthTwo };
}

const label = (node: TreeNode) => {
  const name = node.name ?? node.id;
  if (node.expanded) return name;
  if (node.childCount === null) return `${name} +?`;
  return node.childCount > 0 ? `${name} +${node.childCount}` : name;
};

/** The ids shown: the root and the children of every expanded node, depth first. */
function visibleIds(nodes: Map<string, TreeNode>, rootId: string): string[] {
  const out: string[] = [];
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const node = nodes.get(id);
    if (!node) continue;
    out.push(id);
    if (node.expanded && node.childIds) for (let i = node.childIds.length - 1; i >= 0; i--) stack.push(node.childIds[i]);
  }
  return out;
}

export function ReferralTree({ root }: { root: { id: string; name: string | null; stage: string } }) {
  const nodes = useRef(new Map<string, TreeNode>());
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [error, setError] = useState<{ error: ApiError; nodeId: string } | null>(null);
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);

  const inFlight = useRef(new Set<string>());

  const toggle = useCallback(async (id: string) => {
    const node = nodes.current.get(id);
    // A second press while the children are on their way changes nothing.
    if (!node || inFlight.current.has(id)) return;
    if (node.expanded) {
      node.expanded = false;
      setVersion((v) => v + 1);
      return;
    }
    if (node.childIds === null) {
      inFlight.current.add(id);
      setBusy((current) => new Set(current).add(id));
      setError(null);
      try {
        const { children, truncated } = await fetchChildren(id);
        for (const child of children) if (!nodes.current.has(child.id)) nodes.current.set(child.id, child);
        node.childIds = children.map((child) => child.id).filter((childId) => nodes.current.get(childId)?.parentId === id);
        node.childCount = node.childIds.length;
        node.childrenTruncated = truncated;
      } catch (caught) {
        setError({ error: caught instanceof ApiError ? caught : new ApiError('other', String(caught)), nodeId: id });
        return;
      } finally {
        inFlight.current.delete(id);
        setBusy((current) => {
          const next = new Set(current);
          next.delete(id);
          return next;
        });
      }
    }
    node.expanded = true;
    setVersion((v) => v + 1);
  }, []);

  // A new root: start again with the customer alone, then open the first level.
  useEffect(() => {
    nodes.current = new Map([[root.id, { ...root, parentId: null, childCount: null, childIds: null, childrenTruncated: false, expanded: false }]]);
    setVersion((v) => v + 1);
    void toggle(root.id);
  }, [root.id]); // eslint-disable-line react-hooks/exhaustive-deps -- the root's id identifies the tree

  useEffect(() => {
    const instance = cytoscape({
      container: container.current,
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 3,
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      style: [
        {
          selector: 'node',
          style: {
            'background-color': 'data(colour)',
            label: 'data(label)',
            'font-size': 11,
            'min-zoomed-font-size': 7,
            'text-valign': 'bottom',
            'text-margin-y': 4,
            width: 18,
            height: 18,
          },
        },
        { selector: 'node[?expandable]', style: { 'border-width': 3, 'border-color': '#1d3557' } },
        { selector: 'node[?isRoot]', style: { width: 26, height: 26, 'border-width': 3, 'border-color': '#e63946' } },
        { selector: 'edge', style: { width: 1.5, 'line-color': '#b8c2cc', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#b8c2cc', 'curve-style': 'bezier' } },
      ],
    });
    instance.on('tap', 'node', (event) => void toggle(event.target.id()));
    cy.current = instance;
    return () => {
      instance.destroy();
      cy.current = null;
    };
  }, [toggle]);

  // Bring the drawing in line with what is expanded: add and remove only the difference, then lay out again.
  useEffect(() => {
    const instance = cy.current;
    if (!instance) return;
    const shown = visibleIds(nodes.current, root.id);
    const wanted = new Set(shown);
    instance.batch(() => {
      instance.elements().forEach((element) => {
        const id = element.group() === 'nodes' ? element.id() : (element.data('target') as string);
        if (!wanted.has(id)) instance.remove(element);
      });
      const additions: ElementDefinition[] = [];
      for (const id of shown) {
        const node = nodes.current.get(id)!;
        const data = {
          id,
          label: label(node),
          colour: STAGE_COLOURS[node.stage] ?? '#9aa5b1',
          expandable: !node.expanded && node.childCount !== 0,
          isRoot: id === root.id,
        };
        const existing = instance.getElementById(id);
        if (existing.nonempty()) existing.data(data);
        else {
          additions.push({ group: 'nodes', data });
          if (node.parentId && id !== root.id) additions.push({ group: 'edges', data: { id: `${node.parentId}->${id}`, source: node.parentId, target: id } });
        }
      }
      instance.add(additions);
    });
    instance.layout({ name: 'breadthfirst', directed: true, roots: [root.id], spacingFactor: 1.1, animate: false, fit: true, padding: 20 }).run();
  }, [version, root.id]);

  const shownCount = visibleIds(nodes.current, root.id).length;
  return (
    <div className="tree">
      <p className="muted" aria-live="polite">
        <span data-testid="tree-count">{integer(shownCount)}</span> customers shown. Select a customer with a “+” to see who they referred.
      </p>
      {error && <ErrorMessage error={error.error} onRetry={() => void toggle(error.nodeId)} />}
      <div className="tree-canvas" ref={container} role="img" aria-label="Referral tree drawing; the outline below lists the same customers" />
      <details className="tree-outline-box" open>
        <summary>Outline (keyboard)</summary>
        <ul className="tree-outline" data-version={version}>
          <OutlineItem id={root.id} nodes={nodes.current} busy={busy} onToggle={toggle} />
        </ul>
      </details>
    </div>
  );
}

function OutlineItem({ id, nodes, busy, onToggle }: { id: string; nodes: Map<string, TreeNode>; busy: Set<string>; onToggle: (id: string) => Promise<void> }) {
  const node = nodes.get(id);
  if (!node) return null;
  const expandable = node.childCount !== 0;
  return (
    <li data-node={id}>
      {expandable ? (
        <button
          type="button"
          className="toggle"
          aria-expanded={node.expanded}
          aria-label={`${node.expanded ? 'Collapse' : 'Expand'} ${node.name ?? node.id}`}
          onClick={() => void onToggle(id)}
          // Not `disabled`: a disabled button drops the keyboard focus while the children load.
          aria-busy={busy.has(id)}
        >
          {busy.has(id) ? '…' : node.expanded ? '−' : '+'}
        </button>
      ) : (
        <span className="toggle-spacer" aria-hidden="true" />
      )}
      <a href={href('customer', id)}>{node.name ?? node.id}</a> <span className={`stage stage-${node.stage}`}>{node.stage.replace('_', ' ').toLowerCase()}</span>
      {!node.expanded && node.childCount !== null && node.childCount > 0 && <span className="muted"> · referred {integer(node.childCount)}</span>}
      {node.expanded && node.childIds && node.childIds.length > 0 && (
        <ul>
          {node.childIds.map((childId) => (
            <OutlineItem key={childId} id={childId} nodes={nodes} busy={busy} onToggle={onToggle} />
          ))}
          {node.childrenTruncated && <li className="muted">… more than the API returns in one answer; open a customer’s own page to see theirs.</li>}
        </ul>
      )}
    </li>
  );
}
