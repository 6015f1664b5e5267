import fs from 'node:fs';
import path from 'node:path';
import { table } from './common';

// Reads a V8 CPU profile (`node --cpu-prof`) and says where the process spent its time: self time per function and
// per area (a package, Node's internals, the project's own folders, garbage collection, idle).

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which part of the process a frame belongs to: `express`, `@apollo/server`, `node:internal`, `server/http`, … */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  const file = url.replace(/^file:\/\//, '');
  const project = /\/(server|graph|scripts|schema)\/(?:([^/]+)\/)?/.exec(file);
  if (project) return project[2] && !project[2].includes('.') ? `${project[1]}/${project[2]}` : project[1];
  return path.basename(file);
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: Array<{ name: string; area: string; ms: number }>;
  areas: Array<{ area: string; ms: number }>;
}

/**
 * `window`: only samples taken between these two instants, in µs of the monotonic clock that both V8's profile and
 * `process.hrtime` read (so the bench process can mark when its measured calls began and ended).
 */
export function summarizeCpuProfile(file: string, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const functions = new Map<string, { name: string; area: string; ms: number }>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const ms = us / 1000;
    totalMs += ms;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const area = areaOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
    const entry = functions.get(`${area} ${name}`) ?? { name, area, ms: 0 };
    entry.ms += ms;
    functions.set(`${area} ${name}`, entry);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  return {
    totalMs,
    idleMs,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
    areas: [...areas.entries()].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
  };
}

/** Markdown: the busy time per area and the top functions by self time, each also per request when `requests` is given. */
export function profileReport(summary: ProfileSummary, requests: number, top = 25): string {
  const busy = summary.totalMs - summary.idleMs;
  const perRequest = (ms: number) => ((ms / requests) * 1000).toFixed(0);
  const share = (ms: number) => `${((ms / busy) * 100).toFixed(1)}%`;
  return [
    `Busy (not idle) ${busy.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms profiled, over ${requests} requests: ${perRequest(busy)} µs of the API's CPU per request.`,
    '',
    table(['area', 'self ms', 'share of busy', 'µs per request'], summary.areas.slice(0, top).map((a) => [a.area, a.ms.toFixed(0), share(a.ms), perRequest(a.ms)])),
    '',
    table(['function (self time)', 'area', 'self ms', 'share of busy', 'µs per request'], summary.functions.slice(0, top).map((f) => [`\`${f.name}\``, f.area, f.ms.toFixed(0), share(f.ms), perRequest(f.ms)])),
  ].join('\n');
}

/**
 * The profile of process `pid`'s main thread in `dir`: Node names them CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile,
 * and worker threads and child processes that inherit --cpu-prof write their own beside it.
 */
export function profileOf(dir: string, pid: number): string | undefined {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const main = files.find((f) => f.endsWith('.cpuprofile') && f.split('.').slice(-4, -2).join('.') === `${pid}.0`);
  return main && path.join(dir, main);
}
