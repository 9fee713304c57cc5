// Median, min and max of a figure's runs, and how the bench prints them.

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order. */
  runs: number[];
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no runs');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

/** Element-wise a[i] - b[i]. */
export function minus(a: number[], b: number[]): number[] {
  return a.map((v, i) => v - b[i]);
}

/** 1234.5 -> "1,235"; small values keep a decimal or two. */
export function num(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)" */
export function cell(s: Summary | undefined, unit = ''): string {
  if (!s) return 'n/a';
  return `${num(s.median)}${unit} (${num(s.min)}–${num(s.max)})`;
}
