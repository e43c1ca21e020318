/**
 * The report in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core; nothing is
 * downloaded) opens the page written for a small simulated warehouse from disk and checks that no console error
 * or page error occurs, every chart has drawn marks, each respondent's panel shows when picked, the SIMULATED
 * DATA banner is there, and no request leaves file://. A full-page screenshot is saved to
 * `test-artifacts/report.png` (git-ignored).
 *
 * Without Chromium the test is skipped with a loud warning on a developer machine and fails under CI (`CI` set):
 * `.ci/run` installs the package.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { buildSimulatedWarehouse, FIXTURE } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACT = path.join(ROOT, 'test-artifacts', 'report.png');
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && !process.env.CI) {
  process.stderr.write(
    `\n!!! report browser test SKIPPED: no Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) ` +
      'or set CHROMIUM_PATH; under CI this test fails instead. !!!\n\n',
  );
}

describe.skipIf(!haveChromium && !process.env.CI)('report in headless Chromium', () => {
  let dir = '';
  let profile = '';
  let context: BrowserContext | null = null;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`Chromium is required under CI and missing at ${CHROMIUM} (.ci/run installs it)`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'eia-report-browser-'));
    profile = await mkdtemp(path.join(os.tmpdir(), 'eia-report-profile-'));
    await buildSimulatedWarehouse(path.join(dir, 'data'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens from disk with no error and no network, draws every chart, shows the banner', async () => {
    const result = await writeReport({ dataDir: path.join(dir, 'data'), outDir: path.join(dir, 'report') });
    expect(result.simulated).toBe(true);

    const page = await context!.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => !/^(file|data):/.test(r.url()) && external.push(r.url()));
    await page.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    await page.goto(pathToFileURL(result.file).href, { waitUntil: 'load' });

    await expect(page.locator('#simulated').innerText()).resolves.toContain('SIMULATED DATA');

    // Every chart of the page, with the number of marks vega drew in it (axes and legends excluded).
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => ({ id: f.getAttribute('data-chart'), marks: f.querySelectorAll('svg g.role-mark > *').length })),
    );
    const ids = charts.map((c) => c.id);
    const expected = ['coverage-fuel-type-data', 'coverage-region-data', 'quality-flags', 'quality-quarantine',
      'revisions-month', 'revisions-seen', 'revisions-size',
      ...FIXTURE.regions.flatMap((r) => [`demand-${r}`, `mix-${r}`, `forecast-${r}`])];
    expect([...ids].sort()).toEqual([...expected].sort());
    for (const c of charts) expect(c.marks, `marks in ${c.id}`).toBeGreaterThan(0);
    // A heatmap draws one rect per (respondent, month) with expected hours: the first stamp 2024-01-01T00 is the
    // hour starting 2023-12-31T23, so the range spans two months (2023-12 and 2024-01) for each respondent.
    expect(charts.find((c) => c.id === 'coverage-region-data')!.marks).toBe(FIXTURE.regions.length * 2);

    // The respondent picker shows exactly one panel, and its charts have a size on screen.
    for (const code of [...FIXTURE.regions].sort().reverse()) {
      await page.selectOption('#grid-select', code);
      const visible = await page.$$eval('#grid-panels > .panel', (ps) => ps.filter((p) => !p.hasAttribute("hidden")).map((p) => p.getAttribute('data-code')));
      expect(visible).toEqual([code]);
      const boxes = await page.$$eval(`#grid-panels > .panel[data-code="${code}"] figure.chart svg`, (svgs) => svgs.map((s) => s.getBoundingClientRect().width));
      expect(boxes).toHaveLength(3);
      for (const w of boxes) expect(w).toBeGreaterThan(100);
    }
    await page.selectOption('#grid-select', [...FIXTURE.regions].sort()[0]);

    await mkdir(path.dirname(ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 120_000);
});
