/**
 * Checked as a person would: the HTML reports open in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), the charts render as SVG, an animation advances when played, nothing is logged as an
 * error, and screenshots go to test-output/. Skipped, with a message, when Chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import { ROOT } from './ensure-build.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const SHOTS = join(ROOT, 'test-output', 'browser');
const pages = mkdtempSync(join(tmpdir(), 'tapeflow-html-'));

type Context = import('playwright-core').BrowserContext;
let browser: Context | undefined;

describe.skipIf(!available)('HTML reports in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    // A new, empty profile (--user-data-dir) per run.
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tapeflow-chromium-')), {
      executablePath: CHROMIUM,
      viewport: { width: 1300, height: 900 },
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(name: string, html: string) {
    const file = join(pages, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser!.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-tf-ready="true"]', { timeout: 30_000 });
    return { page, errors, requests };
  }

  it('renders a History chart', async () => {
    const fig = await tf.viz.historyChart({ loss: [1, 0.6, 0.4, 0.3], val_loss: [1.1, 0.8, 0.6, 0.55] });
    const { page, errors, requests } = await open('history', await fig.html());
    expect(await page.locator('figure.tf-figure svg path').count()).toBeGreaterThan(2);
    await page.screenshot({ path: join(SHOTS, 'history.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);

  it('plays the optimizer race: the frame and the points advance', async () => {
    const fig = await tf.viz.race({
      surface: 'beale',
      optimizers: ['sgd', 'momentum', 'adam'],
      steps: 60,
      maxFrames: 30,
    });
    const { page, errors } = await open('race', await fig.html());
    expect(await page.locator('figure.tf-figure svg path').count()).toBeGreaterThan(10);
    const scrub = page.locator('.tf-scrub');
    expect(await scrub.inputValue()).toBe('0');
    const marks = () => page.locator('g.heads').first().innerHTML();
    const before = await marks();
    await page.locator('.tf-play').click();
    await page.waitForFunction("Number(document.querySelector('.tf-scrub').value) >= 10", null, {
      timeout: 20_000,
    });
    expect(await page.locator('.tf-label').textContent()).toMatch(/^step \d+ of 60$/);
    await page.screenshot({ path: join(SHOTS, 'race-playing.png'), fullPage: true });
    await page.locator('.tf-play').click(); // pause
    const paused = await scrub.inputValue();
    await page.waitForTimeout(300);
    expect(await scrub.inputValue()).toBe(paused);
    await scrub.fill('30'); // the last of 31 frames
    await page.waitForFunction("document.querySelector('.tf-label').textContent === 'step 60 of 60'");
    expect(await marks()).not.toBe(before);
    await page.screenshot({ path: join(SHOTS, 'race-end.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('renders the seed 001 descent animation and a graph in one report', async () => {
    const descent = await tf.viz.descent({ steps: 50, labels: ['0.01/6', '0.1', '1.0'] });
    const a = tf.tensor([2], { requiresGrad: true });
    const b = tf.tensor([6], { requiresGrad: true });
    const graph = tf.viz.graph(a.pow(3).mul(3).sub(b.pow(2)));
    const html = await tf.viz.page({
      title: 'report',
      sections: [
        { heading: 'descent', figures: [descent] },
        { heading: 'graph', figures: [graph] },
      ],
    });
    const { page, errors } = await open('report', html);
    expect(await page.locator('svg.tf-graph rect.tf-node').count()).toBe(4);
    await page.locator('.tf-play').click();
    await page.waitForFunction("Number(document.querySelector('.tf-scrub').value) >= 5", null, {
      timeout: 20_000,
    });
    await page.screenshot({ path: join(SHOTS, 'descent-and-graph.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
