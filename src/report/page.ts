/**
 * The page: one self-contained HTML file (inline CSS, inline SVG charts, a few lines of inline script), which
 * opens from `file://` and loads nothing. Pure: the page model and the rendered SVGs in, the HTML text out.
 *
 * The script only switches the respondent shown in "The grid" (every respondent's charts are in the page,
 * rendered; the others are hidden) and shows a mark's description as a tooltip. Without it, every panel shows.
 */
import type { TopLevelSpec } from 'vega-lite';
import { esc } from './html.js';

/** A chart (rendered later) or ready markup. */
export type Block = { kind: 'chart'; id: string; spec: TopLevelSpec } | { kind: 'html'; html: string };

/** One respondent's panel in a selector section. */
export interface Panel {
  code: string;
  label: string;
  blocks: Block[];
}

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
  /** Per-respondent panels behind a selector, after `blocks`. */
  panels?: Panel[];
}

export interface PageModel {
  title: string;
  /** Banner text when any run used the simulator, else null. */
  simulated: string | null;
  /** Headline figures: label → value. */
  stats: [string, string][];
  subtitle: string;
  sections: Section[];
}

/** Every chart of the model, in page order. */
export function chartsOf(model: PageModel): { id: string; spec: TopLevelSpec }[] {
  const out: { id: string; spec: TopLevelSpec }[] = [];
  const take = (bs: Block[]) => bs.forEach((b) => b.kind === 'chart' && out.push(b));
  for (const s of model.sections) {
    take(s.blocks);
    s.panels?.forEach((p) => take(p.blocks));
  }
  return out;
}

const CSS = `
:root{--ink:#1d2329;--muted:#5b6670;--line:#e3e7eb;--bg:#f6f7f9;--accent:#08519c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#fff;border-bottom:1px solid var(--line);padding:18px 28px 14px}
h1{margin:0 0 2px;font-size:22px}
.sub{color:var(--muted);margin:0}
.banner{background:#b91c1c;color:#fff;padding:10px 28px;font-weight:600;letter-spacing:.02em}
.banner strong{font-size:16px;margin-right:8px}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin-top:14px}
.stat{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px 12px}
.stat b{display:block;font-size:18px}
.stat span{color:var(--muted);font-size:12px}
nav{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);padding:8px 28px}
nav a{color:var(--accent);text-decoration:none;margin-right:18px;font-weight:600}
main{padding:8px 28px 40px;max-width:1280px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 20px;margin:18px 0}
h2{margin:0 0 8px;font-size:18px}
h3{margin:16px 0 6px;font-size:14px}
p{margin:6px 0}
.note,.empty{color:var(--muted)}
.empty{font-style:italic}
figure.chart{margin:10px 0;overflow-x:auto}
figure.chart svg{max-width:100%;height:auto}
.row{display:flex;flex-wrap:wrap;gap:18px}
.table-wrap{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;white-space:nowrap}
th{background:var(--bg);font-weight:600;white-space:normal;vertical-align:bottom}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:#b91c1c;font-weight:600}
td.sim{color:#b91c1c}
td.wrap{white-space:normal;min-width:150px;max-width:240px}
td.narrow{min-width:110px;max-width:120px}
.picker{margin:10px 0;display:flex;align-items:center;gap:8px}
select{font:inherit;padding:3px 6px}
#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 8px;border-radius:4px;font-size:12px;display:none;z-index:9}
`;

/** Shows one panel per selector, and mark descriptions as tooltips. */
const SCRIPT = `
for (const sel of document.querySelectorAll('select[data-panels]')) {
  const panels = document.querySelectorAll('#' + sel.dataset.panels + ' > .panel');
  const show = () => panels.forEach((p) => { p.hidden = p.dataset.code !== sel.value; });
  sel.addEventListener('change', show);
  show();
}
const tip = document.getElementById('tip');
document.addEventListener('mousemove', (e) => {
  const label = e.target.closest && e.target.closest('figure.chart') && e.target.getAttribute('aria-label');
  if (!label) { tip.style.display = 'none'; return; }
  tip.textContent = label;
  tip.style.display = 'block';
  tip.style.left = (e.clientX + 12) + 'px';
  tip.style.top = (e.clientY + 12) + 'px';
});
`;

function blocksHtml(blocks: Block[], svgOf: (id: string) => string): string {
  return blocks
    .map((b) => (b.kind === 'html' ? b.html : `<figure class="chart" data-chart="${esc(b.id)}">${svgOf(b.id)}</figure>`))
    .join('\n');
}

function sectionHtml(s: Section, svgOf: (id: string) => string): string {
  const parts = [`<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>`, blocksHtml(s.blocks, svgOf)];
  if (s.panels && s.panels.length > 0) {
    const panelsId = `${s.id}-panels`;
    const options = s.panels.map((p) => `<option value="${esc(p.code)}">${esc(p.label)}</option>`).join('');
    parts.push(`<div class="picker"><label for="${esc(s.id)}-select"><b>Respondent</b></label>`);
    parts.push(`<select id="${esc(s.id)}-select" data-panels="${esc(panelsId)}">${options}</select></div>`);
    parts.push(`<div id="${esc(panelsId)}">`);
    for (const p of s.panels) {
      parts.push(`<div class="panel" data-code="${esc(p.code)}"><h3>${esc(p.label)}</h3>${blocksHtml(p.blocks, svgOf)}</div>`);
    }
    parts.push('</div>');
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** The whole page. `svgOf(id)` returns the rendered SVG of a chart block. */
export function renderPage(model: PageModel, svgOf: (id: string) => string): string {
  const stats = model.stats.map(([k, v]) => `<div class="stat"><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join('');
  const nav = model.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network at all: nothing but inline styles, inline SVG and the inline script below.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(model.title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    model.simulated ? `<div class="banner" id="simulated" role="alert"><strong>SIMULATED DATA</strong>${esc(model.simulated)}</div>` : '',
    `<header><h1>${esc(model.title)}</h1><p class="sub">${esc(model.subtitle)}</p><div class="stats">${stats}</div></header>`,
    `<nav>${nav}</nav>`,
    '<main>',
    ...model.sections.map((s) => sectionHtml(s, svgOf)),
    '</main>',
    '<div id="tip"></div>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
