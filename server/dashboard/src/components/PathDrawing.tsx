import cytoscape from 'cytoscape';
import { useEffect, useRef } from 'react';

export interface PathStep {
  from: { id: string; name: string | null };
  to: { id: string; name: string | null };
  kinds: string[];
}

/** A path drawn left to right (wrapping into rows on narrow screens), each tie labelled with its kinds. */
export function PathDrawing({ nodes, steps }: { nodes: Array<{ id: string; name: string | null }>; steps: PathStep[] }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current!;
    const perRow = Math.max(2, Math.floor(element.clientWidth / 170));
    const instance = cytoscape({
      container: element,
      userZoomingEnabled: false,
      maxZoom: 1.2,
      userPanningEnabled: false,
      autoungrabify: true,
      elements: [
        ...nodes.map((node, i) => ({
          group: 'nodes' as const,
          data: { id: node.id, label: node.name ?? node.id, end: i === 0 || i === nodes.length - 1 },
          // Snake through rows so that consecutive steps stay side by side.
          position: { x: (Math.floor(i / perRow) % 2 === 0 ? i % perRow : perRow - 1 - (i % perRow)) * 170, y: Math.floor(i / perRow) * 110 },
        })),
        ...steps.map((step, i) => ({ group: 'edges' as const, data: { id: `step-${i}`, source: step.from.id, target: step.to.id, label: step.kinds.join(' + ') || '?' } })),
      ],
      layout: { name: 'preset', fit: true, padding: 40 },
      style: [
        { selector: 'node', style: { 'background-color': '#5c9ad6', label: 'data(label)', 'font-size': 12, 'text-valign': 'bottom', 'text-margin-y': 5, width: 22, height: 22 } },
        { selector: 'node[?end]', style: { 'background-color': '#e63946' } },
        {
          selector: 'edge',
          style: { width: 2, 'line-color': '#8899a6', label: 'data(label)', 'font-size': 10, 'text-background-color': '#ffffff', 'text-background-opacity': 1, 'text-background-padding': '2px', 'curve-style': 'straight' },
        },
      ],
    });
    return () => instance.destroy();
  }, [nodes, steps]);
  const rows = Math.ceil(nodes.length / Math.max(2, Math.floor((container.current?.clientWidth ?? 1200) / 170)));
  return <div className="path-canvas" ref={container} role="img" aria-label="The path drawn; the list below names each step" style={{ height: 60 + rows * 110 }} />;
}
