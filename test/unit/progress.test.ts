import { progressLine, throttledProgress } from '../../scripts/progress';

function fakeStream() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream };
}

describe('import progress', () => {
  test('a line gives rows done, percentage, rate and ETA, and the total time once done', () => {
    expect(progressLine(250_000, 1_000_000, 10)).toBe('250,000/1,000,000 (25%), 25,000/s, ETA 30s');
    expect(progressLine(500_000, 10_000_000, 10)).toBe('500,000/10,000,000 (5%), 50,000/s, ETA 3m10s');
    expect(progressLine(1_000, 1_000, 2)).toBe('1,000/1,000 (100%), 500/s, done in 2s');
  });

  test('lines are written at most once a second, and the last one of each step always', () => {
    const { lines, stream } = fakeStream();
    let clock = 0;
    const progress = throttledProgress(stream, 1000, () => clock);
    progress('connections', 0, 100);
    for (let done = 10; done <= 100; done += 10) {
      clock += 300;
      progress('connections', done, 100);
    }
    // 3 s of work reported every 300 ms: a line at 1.2 s, 2.4 s, and the final one.
    expect(lines).toEqual([
      '  connections: 40/100 (40%), 33/s, ETA 2s\n',
      '  connections: 80/100 (80%), 33/s, ETA 1s\n',
      '  connections: 100/100 (100%), 33/s, done in 3s\n',
    ]);
  });
});
