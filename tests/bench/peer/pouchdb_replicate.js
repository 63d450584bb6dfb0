// Replicates N answer-sized documents from an in-memory PouchDB to
// pouchdb-server over plain HTTP on loopback; prints seconds, docs/s and the
// client's peak resident memory as one JSON line.
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));
const crypto = require('crypto');

async function main() {
  const [url, count] = [process.argv[2], Number(process.argv[3] || 100000)];
  let peak = 0;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const db = new PouchDB('answers', { adapter: 'memory' });
  const texts = ['The staff are kind and always help', 'A quiet place to work', null, null];
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const text = texts[i % 4];
      docs.push({
        _id: crypto.randomUUID(), seq: i, set_id: 'library-demo', set_version: 1,
        question_id: text ? 'keep' : 'library', session_id: crypto.randomUUID(),
        score: text ? null : i % 11, text, choice: null, language: 'en',
        recorded_at: 1764500400, clock_trusted: true, boot_id: 'boot', monotonic_ms: 0, rapid_repeat: false,
      });
    }
    await db.bulkDocs(docs);
  }
  const t0 = process.hrtime.bigint();
  const result = await db.replicate.to(url, { batch_size: 500 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sample);
  console.log(JSON.stringify({ docs: result.docs_written, seconds, per_second: result.docs_written / seconds, peak_mb: peak / 1048576 }));
}
main().catch((e) => { console.error(e.message); process.exit(1); });
