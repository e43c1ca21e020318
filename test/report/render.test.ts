import { describe, expect, it } from 'vitest';
import { compactSvg, renderSvg } from '../../src/report/render.js';
import { demandDomain, revisionsBySize } from '../../src/report/specs.js';

describe('render', () => {
  it('rounds path and transform coordinates to 0.1 px and leaves other attributes alone', () => {
    expect(compactSvg('<path d="M0.3514,86.619L-0.04,84.25" stroke-width="1.125"/><g transform="translate(12.345,0.5)">'))
      .toBe('<path d="M0.4,86.6L0,84.3" stroke-width="1.125"/><g transform="translate(12.3,0.5)">');
  });

  it('renders a Vega-Lite spec to SVG with one mark per datum, no external reference', async () => {
    const svg = await renderSvg(revisionsBySize([{ bin: '< 0.1%', count: 3 }, { bin: '1–10%', count: 1 }]));
    expect(svg.startsWith('<svg')).toBe(true);
    const bars = svg.match(/aria-roledescription="bar"/g) ?? [];
    expect(bars).toHaveLength(2);
    expect(svg).toContain('aria-label="&lt; 0.1%: 3 values"');
    expect(svg).not.toMatch(/href="http|url\(http/);
  });

  it('cuts the demand axis only above far-out spikes', () => {
    const days = Array.from({ length: 200 }, (_, i) => ({ min: 900 + (i % 7), max: 1000 + (i % 10) }));
    expect(demandDomain(days)).toEqual({ lo: 900, hi: 1009, clipped: false });
    days[50] = { min: 900, max: 9000 };
    const d = demandDomain(days);
    expect(d.clipped).toBe(true);
    expect(d.hi).toBeCloseTo(1.25 * 1009);
  });
});
