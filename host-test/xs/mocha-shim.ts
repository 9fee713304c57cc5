// Minimal describe/it for running mocha-style test files inside XS: tests are collected
// as the bundle evaluates, then run in order by runCollected(). Hooks and async tests are
// not supported (the engine tests use neither).

interface Case {
  title: string;
  fn: (this: Context) => void;
}

interface Context {
  timeout(ms: number): void;
  skip(): never;
}

const cases: Case[] = [];
const path: string[] = [];

class Skip extends Error {}

const context: Context = {
  timeout() {},
  skip() {
    throw new Skip('skipped');
  },
};

export function describe(title: string, body: (this: Context) => void): void {
  path.push(title);
  try {
    body.call(context);
  } finally {
    path.pop();
  }
}

export function it(title: string, fn: (this: Context) => void): void {
  cases.push({ title: [...path, title].join(' › '), fn });
}

export interface Outcome {
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  error?: string;
}

export function runCollected(): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const c of cases.splice(0)) {
    try {
      c.fn.call(context);
      outcomes.push({ title: c.title, status: 'passed' });
    } catch (err) {
      if (err instanceof Skip) outcomes.push({ title: c.title, status: 'skipped' });
      else outcomes.push({ title: c.title, status: 'failed', error: String((err as Error)?.message ?? err) });
    }
  }
  return outcomes;
}
