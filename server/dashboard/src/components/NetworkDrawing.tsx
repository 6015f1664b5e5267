import cytoscape from 'cytoscape';
import { useEffect, useRef } from 'react';

export interface NetworkNode {
  id: string;
  label: string;
  /** Relative size (e.g. community members); drawn by area. */
  size?: number;
  /** Drawn in the highlight colour (a bridge, a ring member). */
  highlight?: boolean;
  /** Another kind of node (an identifier in a ring picture): drawn as a small diamond. */
  secondary?: boolean;
}

export interface NetworkEdge {
  source: string;
  target: string;
  label?: string;
  /** Relative thickness (connections between two communities). */
  weight?: number;
  /** Drawn as an arrow (a referral). */
  directed?: boolean;
}

/**
 * A small network drawn with Cytoscape's force-directed `cose` layout (seeded by Cytoscape's own deterministic
 * initial placement with `randomize: false`). The drawing is a picture: pages list the same nodes and edges in
 * tables next to it for keyboards and screen readers.
 */
export function NetworkDrawing({ nodes, edges, label, height = 420, testId }: { nodes: NetworkNode[]; edges: NetworkEdge[]; label: string; height?: number; testId?: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const maxSize = Math.max(1, ...nodes.map((node) => node.size ?? 1));
    const maxWeight = Math.max(1, ...edges.map((edge) => edge.weight ?? 1));
    const known = new Set(nodes.map((node) => node.id));
    const instance = cytoscape({
      container: container.current!,
      autoungrabify: false,
      wheelSensitivity: 0.3,
      maxZoom: 1.4,
      elements: [
        ...nodes.map((node) => ({
          group: 'nodes' as const,
          data: { id: node.id, label: node.label, diameter: node.size === undefined ? 26 : 16 + 44 * Math.sqrt(node.size / maxSize), highlight: node.highlight ?? false, secondary: node.secondary ?? false },
        })),
        ...edges
          .filter((edge) => known.has(edge.source) && known.has(edge.target))
          .map((edge, i) => ({
            group: 'edges' as const,
            data: { id: `e${i}`, source: edge.source, target: edge.target, label: edge.label ?? '', width: 1 + 5 * ((edge.weight ?? 1) / maxWeight), directed: edge.directed ?? false },
          })),
      ],
      layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 60000, idealEdgeLength: () => 140, nodeOverlap: 20, componentSpacing: 60, padding: 24 } as cytoscape.LayoutOptions,
      style: [
        { selector: 'node', style: { 'background-color': '#5c9ad6', label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, width: 'data(diameter)', height: 'data(diameter)' } },
        { selector: 'node[?highlight]', style: { 'background-color': '#e63946', 'border-width': 2, 'border-color': '#7a1020' } },
        { selector: 'node[?secondary]', style: { shape: 'diamond', 'background-color': '#e3a33b', width: 14, height: 14, 'font-size': 9 } },
        { selector: 'edge', style: { width: 'data(width)', 'line-color': '#9aa9b6', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 9, color: '#5b6670' } },
        { selector: 'edge[?directed]', style: { 'target-arrow-shape': 'triangle', 'target-arrow-color': '#2f6f4f', 'line-color': '#2f6f4f' } },
      ],
    });
    return () => instance.destroy();
  }, [nodes, edges]);
  return <div className="network-canvas" ref={container} role="img" aria-label={label} data-testid={testId} style={{ height }} />;
}
