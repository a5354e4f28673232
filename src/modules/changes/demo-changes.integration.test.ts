import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAdminWithToken } from '../../../test/builders.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { WebClient } from '../../../test/web-client.ts';
import { seedDemoChanges } from '../demo/demo-changes.ts';
import { seedDemoEvaluation } from '../demo/demo-evaluation.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

test('the demo: two published entries linked to real themes of the #PatientsasPartners16 evaluation, and one draft', async () => {
  const { admin } = await createAdminWithToken(t.services);
  const s = t.services;
  await seedDemoEvaluation({
    admin,
    people: s.people,
    events: s.events,
    registrations: s.registrations,
    forms: s.forms,
    results: s.results,
    eventReport: s.eventReport,
  });
  const ids = await seedDemoChanges({ changes: s.changes, admin });
  assert.equal(ids.length, 3);
  const entries = await Promise.all(ids.map((id) => s.changes.forStaff(id)));
  const published = entries.filter((e) => e.change.publishedOn);
  assert.equal(published.length, 2);
  assert.equal(entries.filter((e) => !e.change.publishedOn).length, 1);

  const event = (await s.events.list({ publishedOnly: true })).find((e) => e.title.startsWith('#PatientsasPartners16'))!;
  const report = await s.eventReport.report(event.id);
  const learnt = report.results!.questions.find((q) => q.key === 'learnt')!;
  const labels = learnt.themes!.map((th) => th.label);
  for (const e of published) {
    assert.equal(e.change.isDemo, true);
    assert.equal(e.source?.type, 'form');
    assert.equal(e.source?.id, report.evaluation!.formId, 'linked to the demo evaluation');
    assert.ok(labels.includes(e.change.sourceTheme!), `${e.change.sourceTheme} is one of its themes: ${labels.join(', ')}`);
  }
  assert.notEqual(published[0]!.change.sourceTheme, published[1]!.change.sourceTheme, 'two different themes');
  assert.equal(report.whatChanged.length, 2, 'the event report lists both under What changed');

  const page = await new WebClient(t.app).get('/you-said-we-did');
  for (const e of published) assert.ok(page.body.includes(e.change.weDid.slice(0, 40)));
  assert.ok(!page.body.includes(entries.find((e) => !e.change.publishedOn)!.change.weDid), 'not the draft');
});
