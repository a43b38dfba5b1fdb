import { type Summary, summarize } from './stats.js';

/** One measured figure. `id` is stable: results.json, BENCHMARKS.md and the smoke test refer to it. */
export interface Figure extends Summary {
  id: string;
  label: string;
  unit: string;
  /** Whether a larger value is better (throughput) or worse (latency, size), for reading the table. */
  better: 'higher' | 'lower';
  note?: string;
}

/** A goal of the issue, checked against figures measured in the same run. */
export interface Comparison {
  id: string;
  label: string;
  value: number;
  /** For a ratio of paired samples (A and B measured back to back, round after round): p25 and p75 of the ratios. */
  spread?: [number, number];
  goal?: { op: '<=' | '>=' | '<'; target: number };
  met?: boolean;
  note?: string;
}

/** A part of the suite that could not run here (a service is down), said so rather than left out silently. */
export interface Skipped {
  id: string;
  reason: string;
}

/** What each section hands back to the runner. */
export class Section {
  readonly figures: Figure[] = [];
  readonly comparisons: Comparison[] = [];
  readonly skipped: Skipped[] = [];

  constructor(
    readonly id: string,
    readonly title: string,
  ) {}

  figure(
    id: string,
    label: string,
    unit: string,
    better: Figure['better'],
    samples: readonly number[],
    note?: string,
  ): Figure {
    const figure: Figure = {
      id: `${this.id}.${id}`,
      label,
      unit,
      better,
      ...summarize(samples),
      ...(note ? { note } : {}),
    };
    this.figures.push(figure);
    return figure;
  }

  /** A figure that is a plain count (round trips): every sample must agree, so the median is the count. */
  count(id: string, label: string, unit: string, samples: readonly number[], note?: string): Figure {
    return this.figure(id, label, unit, 'lower', samples, note);
  }

  compare(id: string, label: string, value: number, goal?: Comparison['goal'], note?: string): Comparison {
    const met = goal === undefined ? undefined : meets(value, goal);
    const comparison: Comparison = {
      id: `${this.id}.${id}`,
      label,
      value,
      ...(goal ? { goal, met } : {}),
      ...(note ? { note } : {}),
    };
    this.comparisons.push(comparison);
    return comparison;
  }

  /**
   * The median of per-round ratios a[i] / b[i], where a[i] and b[i] were measured back to back: a load spike hits
   * both sides of one pair, so this is steadier on a busy machine than the ratio of the two medians.
   */
  comparePaired(
    id: string,
    label: string,
    a: readonly number[],
    b: readonly number[],
    goal?: Comparison['goal'],
  ): Comparison {
    const ratios = summarize(a.map((value, i) => value / b[i]!));
    const comparison = this.compare(id, label, ratios.median, goal);
    comparison.spread = [ratios.p25, ratios.p75];
    return comparison;
  }

  skip(id: string, reason: string): void {
    this.skipped.push({ id: `${this.id}.${id}`, reason });
  }
}

function meets(value: number, goal: NonNullable<Comparison['goal']>): boolean {
  if (!Number.isFinite(value)) return false;
  if (goal.op === '<=') return value <= goal.target;
  if (goal.op === '<') return value < goal.target;
  return value >= goal.target;
}

/** Ratio of two figures' medians, measured in the same run. */
export function ratioOf(numerator: Figure, denominator: Figure): number {
  return numerator.median / denominator.median;
}

/** Numbers for a table cell: three significant digits, no exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** The console table: one line per figure, then the goals. Markdown, so it can be pasted into BENCHMARKS.md. */
export function renderTable(sections: readonly Section[]): string {
  const lines: string[] = [];
  for (const section of sections) {
    lines.push(
      '',
      `### ${section.title}`,
      '',
      '| figure | median | p25–p75 | min–max | n |',
      '|---|---:|---:|---:|---:|',
    );
    for (const f of section.figures) {
      const unit = f.unit ? ` ${f.unit}` : '';
      lines.push(
        `| ${f.label} | ${formatNumber(f.median)}${unit} | ${formatNumber(f.p25)}–${formatNumber(f.p75)} | ${formatNumber(f.min)}–${formatNumber(f.max)} | ${f.n} |`,
      );
    }
    if (section.comparisons.length > 0) {
      lines.push('', '| comparison | value | p25–p75 | goal | met |', '|---|---:|---:|---:|:---:|');
      for (const c of section.comparisons) {
        const goal = c.goal ? `${c.goal.op} ${c.goal.target}` : '—';
        const met = c.met === undefined ? '—' : c.met ? 'yes' : '**no**';
        const spread = c.spread ? `${formatNumber(c.spread[0])}–${formatNumber(c.spread[1])}` : '—';
        lines.push(`| ${c.label} | ${formatNumber(c.value)} | ${spread} | ${goal} | ${met} |`);
      }
    }
    for (const s of section.skipped) lines.push('', `SKIPPED ${s.id}: ${s.reason}`);
  }
  return lines.join('\n');
}
