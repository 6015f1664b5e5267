// Progress of a long import on one terminal line: done/total, rate and ETA, redrawn at most once a second
// (and at the end of each step), so that a 10M-row import neither spams the log nor looks hung.

export type ProgressCallback = (what: string, done: number, total: number) => void;

const formatCount = (value: number) => value.toLocaleString('en-US');

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

export function progressLine(done: number, total: number, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const eta = done >= total ? `done in ${formatDuration(elapsedSeconds)}` : `ETA ${formatDuration(rate > 0 ? (total - done) / rate : Infinity)}`;
  return `${formatCount(done)}/${formatCount(total)} (${percent}%), ${formatCount(Math.round(rate))}/s, ${eta}`;
}

/**
 * A callback for loaders: on a terminal it redraws one line in place; piped to a file it writes a line at most
 * every `intervalMs` per step, plus the final one.
 */
export function throttledProgress(stream: NodeJS.WriteStream = process.stdout, intervalMs = 1000, now = () => Date.now()): ProgressCallback {
  const startedAt = new Map<string, number>();
  let lastWrite = 0;
  return (what, done, total) => {
    const time = now();
    if (!startedAt.has(what)) startedAt.set(what, time);
    const finished = done >= total;
    // A loader reports 0 before its first batch so that the rate counts that batch too.
    if (done === 0 && !finished) return;
    if (!finished && time - lastWrite < intervalMs) return;
    lastWrite = time;
    const line = `  ${what}: ${progressLine(done, total, (time - startedAt.get(what)!) / 1000)}`;
    stream.write(stream.isTTY ? `\r${line}\x1b[K${finished ? '\n' : ''}` : `${line}\n`);
  };
}
