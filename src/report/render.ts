/**
 * Vega-Lite spec → inline SVG, on the server: vega-lite compiles the spec, a headless vega View (`renderer:
 * 'none'`, no canvas, no network: data is inline) renders it with `toSVG()`. The SVG is then made smaller:
 * path and transform coordinates are rounded to 0.1 px (vega writes 3 decimals; a tenth of a pixel is below what a
 * screen shows), which cuts a daily 7-year line by about a third.
 */
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Render one spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vgSpec } = compile(spec);
  const view = new View(parse(vgSpec), { renderer: 'none', logLevel: 0 });
  try {
    return compactSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

const NUMBER = /-?\d+\.\d+/g;
const round = (s: string) => {
  const n = Math.round(Number(s) * 10) / 10;
  return Object.is(n, -0) ? '0' : String(n);
};

/** Round the numbers of `d="…"` and `transform="…"` attributes to one decimal. */
export function compactSvg(svg: string): string {
  return svg.replace(/ (d|transform)="([^"]*)"/g, (_m, attr: string, v: string) => ` ${attr}="${v.replace(NUMBER, round)}"`);
}
