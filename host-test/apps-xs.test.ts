// The example services allocate nothing per request in steady state: on the real XS
// engine, 1,000 requests to each service (echo, discard, source:N, http's status page and
// its 404, hold:MS, closer), driven by an allocation-free client model on a virtual clock
// after a warm-up, leave XS's heap slot count where it was, garbage included.
import assert from 'node:assert/strict';
import { measureServiceHeap } from './support/service-heap';

describe('example services on XS: no allocation per request', function () {
  this.timeout(600_000);

  it('1,000 requests to each service allocate no XS heap slot, live or garbage', async () => {
    const rows = await measureServiceHeap(1000);
    const report = rows.map((r) => `${r.spec} ${r.config} ${JSON.stringify(r.request.slice(0, 20))}: `
      + `allocated ${r.allocated}, kept ${r.kept}, reserved bytes +${r.reserved}`).join('\n');
    for (const r of rows) {
      assert.equal(r.allocated, 0, `slots allocated over 1,000 requests:\n${report}`);
      assert.equal(r.kept, 0, `slots kept over 1,000 requests:\n${report}`);
      assert.equal(r.reserved, 0, `reserved memory grew over 1,000 requests:\n${report}`);
    }
  });
});
