import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agendaHarness } from '../harness/agenda.js';
import { ARTIFACTS, headlessChromium } from '../harness/browser.js';
import { buildYear } from './year.js';

const h = await agendaHarness('reports_browser', { start: '2026-01-01T00:00:00Z' });
const { org } = await buildYear(h, undefined);
const context = await headlessChromium({ width: 1280, height: 1000 });
const page = await context.newPage();
page.setDefaultTimeout(10_000);
const problems: string[] = [];
page.on('console', (m) => {
  if (m.type() === 'error') problems.push(m.text());
});

describe('the HTML cadence report in a real browser', () => {
  it('shows the manager chart, the weekly strips and the table, styled under the CSP, and prints', async () => {
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${org.key}` });
    // a browser asks for text/html: no format parameter needed
    const res = await page.goto(`${h.agendaUrl}/v1/reports/cadence?from=2026-01-01&to=2026-12-31`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await page.locator('h1').textContent()).toBe('One-on-ones kept, 2026-01-01 – 2026-12-31');

    const bars = page.locator('#adherence-chart g.manager');
    expect(await bars.count()).toBe(2);
    expect(await page.locator('#adherence-chart rect.bar.flagged').count()).toBe(1);
    expect(await page.locator('#adherence-chart rect.flagged title').textContent()).toBe('Nina Boss: 78 % (39 of 50)');
    // one square per week per pair; B's decline and move out of the week are there
    expect(await page.locator('#weekly-chart g.pair').count()).toBe(3);
    expect(await page.locator('#weekly-chart rect').count()).toBe(156);
    expect(await page.locator('#weekly-chart rect.declined').count()).toBe(1);
    expect(await page.locator('#weekly-chart rect.cancelled_unexcused').count()).toBe(11);
    const box = await page.locator('#adherence-chart').boundingBox();
    expect(box!.width).toBeGreaterThan(300);

    const rows = page.locator('table#pairs tbody tr');
    expect(await rows.count()).toBe(3);
    // names are escaped text, the comma and quotes intact
    expect(await page.locator('table#pairs').textContent()).toContain('Smith, Jo "JJ"');
    expect(await page.locator('table#pairs tr.flagged td').first().textContent()).toBe('Nina Boss');
    expect(await page.locator('#org-adherence').textContent()).toBe('91.2 %');
    // the hashed stylesheet applied (CSP allowed it) and nothing was refused
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe('rgb(246, 247, 249)');
    expect(await page.locator('script').count()).toBe(0);
    expect(problems).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS, 'cadence-report.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');
    await page.pdf({ path: join(ARTIFACTS, 'cadence-report.pdf'), format: 'A4', landscape: true });
  });
});
