import { describe, expect, it } from 'vitest';
import { createAgendaApp } from '@cadence/agenda/app';
import { ApiKeyCache } from '@cadence/agenda/auth/key-cache';
import { escapeHtml, markup } from '@cadence/agenda/pages/html';
import { ensureIndexes } from '@cadence/shared/db';
import { createMetricsRegistry } from '@cadence/shared/http';
import { capturingLogger } from '../harness/capture-logs.js';
import { useTestDatabase } from '../harness/database.js';
import { serve } from '../harness/http.js';

describe('escaping', () => {
  it('escapes text and attribute contexts, and keeps markup built with the tag', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const note = '<script>alert(1)</script>';
    const out = markup`<p title="${note}">${note}${markup`<b>${'ok'}</b>`}${[1, markup`<i>2</i>`]}${null}${false}</p>`;
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;<b>ok</b>1<i>2</i></p>',
    );
  });
});

describe('the API key cache', () => {
  it('keeps positive answers for its TTL, by hash, and drops the oldest when full', () => {
    let t = 0;
    const cache = new ApiKeyCache(30_000, 2, () => t);
    cache.set('cad_key_a', 'org_a');
    expect(cache.get('cad_key_a')).toBe('org_a');
    t = 29_999;
    expect(cache.get('cad_key_a')).toBe('org_a');
    t = 30_000;
    expect(cache.get('cad_key_a')).toBeUndefined();
    cache.set('k1', 'o1');
    cache.set('k2', 'o2');
    cache.set('k3', 'o3');
    expect([cache.get('k1'), cache.get('k2'), cache.get('k3')]).toEqual([undefined, 'o2', 'o3']);
    expect(JSON.stringify(cache)).not.toContain('k2');
  });
});

describe('when the scheduling service is away', () => {
  it('answers 503 problem+json, and link pages 404 before asking anyone', async () => {
    const { conn } = await useTestDatabase('agenda_edges');
    const logs = capturingLogger('agenda');
    // a port nothing listens on
    const app = createAgendaApp({
      conn,
      logger: logs.logger,
      metrics: createMetricsRegistry('agenda'),
      schedulingUrl: 'http://127.0.0.1:9',
      internalToken: 'i'.repeat(40),
    }).app;
    await ensureIndexes(conn);
    const { url } = await serve(app);
    const res = await fetch(`${url}/v1/agenda-templates`, { headers: { authorization: 'Bearer cad_whatever' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    const page = await fetch(`${url}/a/${'A'.repeat(43)}`);
    expect(page.status).toBe(404);
    expect(logs.text()).not.toContain('cad_whatever');
  });
});
