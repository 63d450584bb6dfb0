// The admin web in headless Chromium, as run.sh sets it up: a server with
// accounts alice (admin) and vera (viewer of "North Branch"), the demo set
// published and assigned to "Central", and one kiosk at Central that has
// sent its answers. Each step says what it checks; the first failure ends
// the run with exit 1.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const base = process.env.TP_BASE;
const work = process.env.TP_WORK;
const require = createRequire(path.join(work, 'node', 'package.json'));
const { chromium } = require('playwright-core');
const shots = path.join(work, 'screenshots');
const alice = { name: 'alice', password: 'correct horse battery' };
const vera = { name: 'vera', password: 'violet marble teapot' };
const newPrompt = 'How well is your library doing for you this month?';
const scriptNote = '<script>alert("tenpoint")</script> was here';

let step = '';
function check(condition, what) {
  if (!condition) throw new Error(`${step}: ${what}`);
}

const browser = await chromium.launch({ executablePath: process.env.TP_CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const desktop = { width: 1280, height: 900 };
const phone = { width: 390, height: 844 };
const shotPages = [];

async function newSession(viewport = desktop) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    // Only the confirm() of data-confirm forms may open; never an alert from page content.
    if (d.type() !== 'confirm') throw new Error(`an unexpected ${d.type()} dialog opened: ${d.message()}`);
    d.accept();
  });
  return { context, page };
}

async function signIn(page, who) {
  await page.goto(`${base}/admin/login`);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await submit(page, () => page.keyboard.press('Enter'));
}

// Does `act` (a click or a key) and waits for the page it leads to.
async function submit(page, act) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), act()]);
}

async function shoot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}-desktop.png`), fullPage: true });
  shotPages.push({ name, url: page.url() });
}

try {
  const { context, page } = await newSession();

  step = 'sign in';
  await page.goto(`${base}/admin/`);
  check(page.url().endsWith('/admin/login'), 'an anonymous visit goes to the sign-in form');
  await page.keyboard.press('Tab');
  check((await page.evaluate(() => document.activeElement.textContent)) === 'Skip to content', 'the first Tab reaches the skip link');
  await shoot(page, 'login');
  await signIn(page, alice);
  check(page.url().endsWith('/admin/'), `signed in, on the overview (at ${page.url()})`);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'tp_session');
  check(session && session.httpOnly && session.secure && session.sameSite === 'Strict' && session.path === '/admin', 'the session cookie is HttpOnly, Secure, SameSite=Strict, Path=/admin');
  await shoot(page, 'overview');

  step = 'edit the scaling question and publish';
  await page.goto(`${base}/admin/sets/edit?set=library-demo`);
  await page.getByLabel('Prompt in en').fill(newPrompt);
  check((await page.getByLabel('Rule 1: leads to', { exact: true }).inputValue()) === 'cope', 'the first follow-up rule is a row of fields');
  check((await page.getByLabel('Rule 1: lowest score', { exact: true }).inputValue()) === '0', 'the first rule starts at 0');
  await shoot(page, 'set-editor');
  await submit(page, () => page.getByRole('button', { name: 'Save as draft' }).click());
  check((await page.content()).includes('Saved library-demo version 2 as a draft'), 'the draft is saved as version 2');
  await submit(page, () => page.getByRole('button', { name: 'Publish version 2' }).click());
  check((await page.content()).includes('Published library-demo version 2'), 'version 2 is published');

  step = 'assign with the form';
  await page.getByLabel('Venue').fill('Central');
  await submit(page, () => page.getByRole('button', { name: 'Assign' }).click());
  check((await page.content()).includes('Assigned library-demo to Central'), 'the assignment is confirmed');
  await shoot(page, 'sets');

  step = 'a real tenpoint-sync fetches the new set';
  const kiosk = path.join(work, 'kiosk');
  execFileSync(process.env.TP_SYNC, ['--config', path.join(kiosk, 'kiosk.json'), '--once'], { stdio: 'pipe' });
  const setFile = readdirSync(kiosk).find((f) => f.endsWith('.tpset'));
  check(setFile, `a signed set arrived in ${kiosk}`);
  const signed = JSON.parse(readFileSync(path.join(kiosk, setFile), 'utf8'));
  check(signed.serial === 2, `the kiosk holds the new delivery (serial ${signed.serial})`);
  check(Buffer.from(signed.set, 'base64').toString('utf8').includes(newPrompt), 'the set the kiosk holds has the new prompt');

  step = 'notes reach the results page as text';
  const device = JSON.parse(readFileSync(path.join(kiosk, 'device.json'), 'utf8'));
  const now = Math.floor(Date.now() / 1000) - 3 * 86400;
  const answers = [];
  for (let i = 0; i < 9; ++i) {
    const visit = `browser-visit-${i}`;
    const common = { set_id: 'library-demo', set_version: 2, session_id: visit, choice: null, language: 'en', recorded_at: now - (now % 3600), clock_trusted: true, boot_id: 'browser-boot', rapid_repeat: false };
    answers.push({ ...common, uuid: `0b0b0b0b-0000-4000-8000-${String(2 * i).padStart(12, '0')}`, seq: 100000 + 2 * i, question_id: 'library', score: 7, text: null, monotonic_ms: 1000 + i * 60000 });
    answers.push({ ...common, uuid: `0b0b0b0b-0000-4000-8000-${String(2 * i + 1).padStart(12, '0')}`, seq: 100001 + 2 * i, question_id: 'not_lower', score: null, text: scriptNote, monotonic_ms: 2000 + i * 60000 });
  }
  const sent = await context.request.post(`${base}/api/v1/batches`, {
    headers: { Authorization: `Bearer ${device.token}`, 'Content-Type': 'application/json' },
    data: JSON.stringify({ batch_id: 'browser-notes', answers }),
  });
  check(sent.status() === 200, `the kiosk's batch is stored (${sent.status()} ${await sent.text()})`);

  step = 'results';
  await page.goto(`${base}/admin/results`);
  await page.getByLabel('Venue').selectOption('Central');
  await submit(page, () => page.getByRole('button', { name: 'Show' }).click());
  const results = await page.content();
  check(results.includes(newPrompt), 'the results read with the new prompt');
  check(/tp-question/.test(results) && /<svg/.test(results), 'the report fragments and charts are there');
  check(await page.getByText(scriptNote).first().isVisible(), 'the note with <script> shows as text');
  check(!(await page.evaluate(() => Array.from(document.scripts).some((s) => s.textContent.includes('tenpoint')))), 'no script element came from the note');
  await shoot(page, 'results');
  const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  const csv = await context.request.get(`${base}${csvHref}`);
  check(csv.status() === 200 && csv.headers()['content-type'].startsWith('text/csv'), 'the CSV downloads');
  check((await csv.text()).includes('set_id,set_version,venue'), 'the CSV has the report library\'s columns');

  step = 'moderation: mark a note read back, edit one, hide one with a reason';
  const csvBefore = await (await context.request.get(`${base}${csvHref}`)).text();
  const countIn = (text, part) => text.split(part).length - 1;
  const noteDay = new Date((now - (now % 3600)) * 1000);
  const day = `${noteDay.getFullYear()}-${String(noteDay.getMonth() + 1).padStart(2, '0')}-${String(noteDay.getDate()).padStart(2, '0')}`;
  await page.goto(`${base}/admin/moderation`);
  check(await page.getByRole('link', { name: 'Moderation' }).getAttribute('aria-current') === 'page', 'the view is in the navigation');
  await page.getByLabel('Venue').selectOption('Central');
  await page.getByLabel('From').fill(day);
  await page.getByLabel('To (included)').fill(day);
  await submit(page, () => page.getByRole('button', { name: 'Show' }).click());
  check(await page.getByLabel('From').inputValue() <= day, 'the days are widened to the whole week');
  // The nine notes sent are next to each other, newest first; the kiosk's own notes of the
  // same week may come before them, so they may be a page or two on.
  const ours = page.locator('article.note', { hasText: scriptNote });
  while ((await ours.count()) < 3) {
    const older = page.getByRole('link', { name: 'Older notes' });
    check((await older.count()) === 1, 'the notes sent are listed');
    await submit(page, () => older.click());
  }
  const numberOf = async (i) => (await ours.nth(i).locator('h2').textContent()).replace('Note ', '');
  const [first, second, third] = [await numberOf(0), await numberOf(1), await numberOf(2)];
  await submit(page, () => page.getByRole('button', { name: `Mark read back (note ${first})`, exact: true }).click());
  check((await page.content()).includes('Marked as read back.'), 'marking is confirmed');
  check(await ours.nth(0).locator('.tag', { hasText: 'Read back' }).isVisible(), 'the note is tagged read back');
  // By keyboard: the summary opens with Enter, the field has its label.
  await page.getByText(`Edit what shows (note ${second})`).focus();
  await page.keyboard.press('Enter');
  const edit = page.getByLabel(`Text shown (note ${second})`);
  check(await edit.isVisible(), 'Enter on the summary opens the edit form');
  await edit.fill('Tenpoint was here');
  await submit(page, () => ours.nth(1).getByRole('button', { name: 'Save text' }).click());
  check(await ours.nth(1).locator('blockquote').textContent() === 'Tenpoint was here', 'the edit is what shows');
  check((await ours.nth(1).locator('q').textContent()) === scriptNote, 'the text as typed is shown beside it');
  await page.getByText(`Hide from the results (note ${third})`).click();
  await page.getByLabel(`Reason (note ${third})`).fill('Test of hiding: code in a note');
  await submit(page, () => page.getByRole('button', { name: `Hide note ${third}`, exact: true }).click());
  check(await ours.nth(2).locator('.tag', { hasText: 'Hidden' }).isVisible(), 'the note is tagged hidden');
  check(await ours.nth(2).getByText('Reason: Test of hiding: code in a note').isVisible(), 'the reason is shown');
  await shoot(page, 'moderation');
  await page.goto(`${base}/admin/audit`);
  const moderationAudit = await page.content();
  check(moderationAudit.includes('marked a note read back') && moderationAudit.includes('edited a note') &&
        moderationAudit.includes('Test of hiding: code in a note'), 'each action and the reason are in the audit log');
  await page.goto(`${base}/admin/results?venue=Central`);
  check(await page.getByText('Tenpoint was here').first().isVisible(), 'the results show the edit');
  const csvAfter = await (await context.request.get(`${base}${csvHref}`)).text();
  check(countIn(csvAfter, '</script> was here') === countIn(csvBefore, '</script> was here') - 2,
        'the CSV lost the hidden note and the edited one\'s text as typed');
  check(csvAfter.includes('Tenpoint was here'), 'the CSV has the edit');
  const forgedHide = await context.request.post(`${base}/admin/moderation/hide`, { form: { answer: 'x', reason: 'no token' } });
  check(forgedHide.status() === 403, `a moderation POST without the token is refused (${forgedHide.status()})`);

  step = 'read back: a card quoting the note marked read back, with "We did", published and fetched by a real tenpoint-sync';
  const weDid = 'We moved the children\'s corner next to the big window.';
  await page.goto(`${base}/admin/readback`);
  check(await page.getByRole('link', { name: 'Read back' }).getAttribute('aria-current') === 'page', 'the page is in the navigation');
  const quotable = page.locator('input[name=note]');
  check((await quotable.count()) === 1, `only the note marked read back can be quoted (${await quotable.count()} offered)`);
  check(!(await page.evaluate(() => Array.from(document.scripts).some((s) => s.textContent.includes('tenpoint')))), 'the quoted note is text, not a script');
  await quotable.first().check();
  await page.getByLabel('We did').check();
  await page.getByLabel('What the venue did or will do').fill(weDid);
  await shoot(page, 'readback-form');
  await submit(page, () => page.getByRole('button', { name: 'Publish card' }).click());
  check((await page.content()).includes('The card is published.'), 'publishing is confirmed');
  const published = page.locator('article.readback-card').first();
  check(await published.getByText(weDid).isVisible(), 'the card shows the venue\'s answer');
  check(await published.locator('.tag', { hasText: 'Showing' }).isVisible(), 'the card is showing');
  check(await published.locator('blockquote').textContent() === scriptNote, 'the card quotes the note as text');
  await shoot(page, 'readback');
  execFileSync(process.env.TP_SYNC, ['--config', path.join(kiosk, 'kiosk.json'), '--once'], { stdio: 'pipe' });
  const cardsFile = JSON.parse(readFileSync(path.join(kiosk, 'readback.tpcards'), 'utf8'));
  check(cardsFile.format === 'tenpoint-signed-readback/1' && cardsFile.serial >= 1, `the kiosk holds signed cards (serial ${cardsFile.serial})`);
  const cardsDoc = JSON.parse(Buffer.from(cardsFile.cards, 'base64').toString('utf8'));
  check(cardsDoc.venue === 'Central' && cardsDoc.cards.length === 1, 'the cards are Central\'s, one card');
  check(cardsDoc.cards[0].texts.en.answer === weDid && cardsDoc.cards[0].texts.en.said[0] === scriptNote, 'the card says what was published');
  check(cardsDoc.count === undefined || cardsDoc.count.people >= 5, 'a count is never below 5');
  const again = await context.request.get(`${base}/api/v1/readback`, { headers: { Authorization: `Bearer ${device.token}`, 'If-None-Match': `"${cardsFile.serial}"` } });
  check(again.status() === 304, `the kiosk's ETag holds while nothing changed (${again.status()})`);
  const forgedCard = await context.request.post(`${base}/admin/readback/publish`, { form: { note: 'x', we: 'did', answer: 'no token' } });
  check(forgedCard.status() === 403, `a card POST without the token is refused (${forgedCard.status()})`);
  await page.goto(`${base}/admin/audit`);
  check((await page.content()).includes('published a read-back card'), 'publishing is in the audit log');

  step = 'venues and kiosks';
  await page.goto(`${base}/admin/kiosks`);
  check((await page.content()).includes('Revoke'), 'the kiosk is listed with a revoke button');
  await shoot(page, 'kiosks');
  await page.getByLabel('Venue', { exact: true }).fill('East Wing');
  await submit(page, () => page.getByRole('button', { name: 'Make a code' }).click());
  check((await page.content()).includes('shown only once'), 'the code is shown once');
  await shoot(page, 'enrolment-code');

  step = 'a POST without the CSRF token is refused';
  const forged = await context.request.post(`${base}/admin/kiosks/revoke`, { form: { device: device.device_id } });
  check(forged.status() === 403, `refused (${forged.status()})`);
  await page.goto(`${base}/admin/kiosks`);
  check((await page.content()).includes(`value="${device.device_id}"`), 'the kiosk is still active');

  step = 'audit log';
  await page.goto(`${base}/admin/audit`);
  const audit = await page.content();
  check(audit.includes('published a set') && audit.includes('refused') && audit.includes('made an enrolment code'), 'the changes and the refusal are logged');
  await shoot(page, 'audit');

  step = 'a viewer sees only their venue and changes nothing';
  const viewer = await newSession();
  await signIn(viewer.page, vera);
  const theirs = await viewer.page.goto(`${base}/admin/results?venue=Central`);
  check(theirs.status() === 403, `Central's results are refused (${theirs.status()})`);
  await shoot(viewer.page, 'viewer-refused');
  await viewer.page.goto(`${base}/admin/results`);
  const options = await viewer.page.locator('#venue option').allTextContents();
  check(!options.includes('Central') && options.includes('North Branch'), `only their venue is offered (${options})`);
  await shoot(viewer.page, 'viewer-results');
  const token = await viewer.page.locator('input[name=csrf]').first().getAttribute('value');
  const change = await viewer.context.request.post(`${base}/admin/kiosks/code`, { form: { csrf: token, venue: 'Viewer Venue', days: '7' } });
  check(change.status() === 403, `a viewer's change is refused (${change.status()})`);
  const sets = await viewer.page.goto(`${base}/admin/sets`);
  check(sets.status() === 403, 'a viewer cannot open the sets page');
  const moderation = await viewer.page.goto(`${base}/admin/moderation`);
  check(moderation.status() === 403, 'a viewer cannot open the moderation view');
  const hide = await viewer.context.request.post(`${base}/admin/moderation/hide`, { form: { csrf: token, answer: 'x', reason: 'viewer' } });
  check(hide.status() === 403, `a viewer cannot moderate (${hide.status()})`);
  const readback = await viewer.page.goto(`${base}/admin/readback`);
  check(readback.status() === 403, 'a viewer cannot open the read-back page');
  const card = await viewer.context.request.post(`${base}/admin/readback/withdraw`, { form: { csrf: token, card: '1' } });
  check(card.status() === 403, `a viewer cannot withdraw a card (${card.status()})`);

  step = 'phone width';
  const small = await newSession(phone);
  await signIn(small.page, alice);
  for (const { name, url } of shotPages) {
    if (name.startsWith('viewer') || name === 'enrolment-code') continue;
    await small.page.goto(name === 'login' ? `${base}/admin/login` : url);
    const overflow = await small.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `${name} fits the phone's width (overflows by ${overflow} px)`);
    await small.page.screenshot({ path: path.join(shots, `${name}-phone.png`), fullPage: true });
  }

  step = 'five wrong passwords are throttled';
  const guesser = await newSession();
  for (let i = 0; i < 5; ++i) {
    await signIn(guesser.page, { name: 'alice', password: `not the password ${i}` });
    check((await guesser.page.content()).includes('do not match an account'), `wrong password ${i + 1} is refused`);
  }
  await signIn(guesser.page, alice);
  check((await guesser.page.content()).includes('Too many failed sign-ins'), 'the sixth attempt, even with the right password, is throttled');
  await shoot(guesser.page, 'throttled');

  console.log(`admin browser test: passed; screenshots in ${shots}`);
  await browser.close();
} catch (e) {
  console.error(`FAILED: ${e.message}`);
  await browser.close();
  process.exit(1);
}
