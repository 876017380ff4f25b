import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agendaHarness, occurrenceKeys } from '../harness/agenda.js';
import { ARTIFACTS, headlessChromium } from '../harness/browser.js';

const h = await agendaHarness('agenda_browser', { start: '2026-03-16T15:00:00Z' });
const org = await h.newOrg('Acme');
const series = await h.newSeries(org, {
  weekday: 'tuesday',
  startTime: '09:00',
  timeZone: 'America/New_York',
  startDate: '2026-03-03',
});
const [w1, , thisWeek] = (await occurrenceKeys(org, series.id, '2026-03-01', '2026-03-29')) as string[];
// something to review: homework from the first week, still open
await org.agenda
  .post(`/v1/series/${series.id}/occurrences/${w1}/homework`, { title: 'Clean up stale opportunities', owner: 'rep' })
  .expect(201);
const { url } = (await org.agenda.post(`/v1/series/${series.id}/agenda-link`).expect(201)).body as { url: string };
const context = await headlessChromium();
const page = await context.newPage();
page.setDefaultTimeout(10_000);

describe('the agenda page in a real browser', () => {
  it('opens this week’s agenda from the series link, without JavaScript', async () => {
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Mara Manager 1 & Ray Rep 1');
    expect(await page.locator('.when').textContent()).toContain('Tuesday 17 March 2026, 09:00');
    expect(await page.locator('ol.items > li').count()).toBe(7);
    expect(await page.locator('#homework-review').textContent()).toContain('Clean up stale opportunities');
    expect(await page.locator('script').count()).toBe(0);
    // the inline stylesheet is allowed by its hash in the Content-Security-Policy
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe('rgb(246, 247, 249)');
  });

  it('ticks an item covered through its form', async () => {
    const pipeline = page.locator('#item-i2');
    await expect.poll(() => pipeline.getAttribute('class')).toBe('');
    await pipeline.getByRole('button', { name: 'Mark covered' }).click();
    await page.waitForURL(url + '#item-i2');
    await expect.poll(() => page.locator('#item-i2').getAttribute('class')).toBe('covered');
    expect(await page.locator('#item-i2').getByRole('button', { name: 'Covered ✓ — undo' }).count()).toBe(1);
    const agenda = await org.agenda.get(`/v1/series/${series.id}/occurrences/${thisWeek}/agenda`).expect(200);
    expect(agenda.body.items[1].covered).toBe(true);
  });

  it('adds a homework item through the form', async () => {
    const form = page.locator('#new-homework form', { has: page.locator('#hw-title') });
    await form.getByLabel('Homework').fill('Send <b>two</b> case studies to Contoso');
    await form.getByLabel('Owner').selectOption('rep');
    await form.getByRole('button', { name: 'Add homework' }).click();
    await page.waitForURL(url + '#new-homework');
    await expect
      .poll(() => page.locator('#new-homework .hw-title').allTextContents())
      .toEqual(['Send <b>two</b> case studies to Contoso']);
    // one hour before next week's meeting, in the series' zone
    expect(await page.locator('#new-homework .hw-meta').textContent()).toContain('due Tue 24 Mar, 08:00');
  });

  it('shows a note containing <script> as text and runs nothing', async () => {
    const item = page.locator('#item-i3');
    await item.locator('summary').click();
    await item.getByLabel('Note on Forecast').fill('<script>document.title = "owned"</script> Contoso moved to Q3');
    await item.getByRole('button', { name: 'Save note' }).click();
    await page.waitForURL(url + '#item-i3');
    await expect
      .poll(() => page.locator('#item-i3 .note').textContent())
      .toBe('<script>document.title = "owned"</script> Contoso moved to Q3');
    expect(await page.title()).not.toBe('owned');
    expect(await page.locator('script').count()).toBe(0);
  });

  it('saves screenshots: desktop, phone and print', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'agenda-page.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'agenda-page-phone.png'), fullPage: true });
    // nothing wider than the phone screen
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#hw-title').isVisible()).toBe(false);
    expect(await page.locator('#item-i3 .note').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'agenda-page-print.png'), fullPage: true });
  });
});
