// The browser checks of tests/browser/run.sh, which installs the tools and
// builds the pages first. Serves --site on 127.0.0.1, opens each of --pages
// (index.html and a system's page) in Debian's Chromium with
// playwright-core and checks, on each:
//   - axe-core, WCAG 2.0/2.1 A and AA: no violation, as loaded and with every
//     <details> open, at a phone and a desktop width;
//   - no horizontal scrolling at 390px and 1280px;
//   - buttons, fields, summaries and button-like links are at least 44x44 px;
//   - the first Tab shows the skip link; every #fragment link has a target,
//     on the page or on the page it names (`visma.html#...`);
//   - every download link serves an iCalendar file;
//   - no request leaves 127.0.0.1; no script error or console error;
//   - nothing in <main> is pushed off the page by the CSS;
//   - the first "Kopier" button copies the address and says so;
//   - without JavaScript no Kopier button shows and the addresses are there;
//   - html-validate finds no error in the HTML;
// and saves full-page screenshots of both widths to --artifacts. On the
// index also:
//   - the system filter is near the top at 390px (its field within the
//     first two screens), narrows the list as one types, and is hidden
//     without JavaScript (the whole list is there);
//   - with --now-title, --now-start and --now-end (an event the page lists
//     under "Pågår nå"): with the browser's clock faked (Playwright's
//     page.clock, which replaces Date before the page's script runs) a
//     minute before the start, a minute after it and a minute after the
//     end, the event shows only in the middle one, and the "nothing now"
//     note only in the others; also on the first system page.
//
// usage: node check.mjs --site DIR --artifacts DIR --profile DIR --chromium PATH [--root DIR]
//        [--name NAME] [--locale nb-NO] [--copy Kopier] [--copied 'kopiert|merket']
//        [--pages index.html,visma.html] [--now-title TEXT --now-start ISO --now-end ISO]
// (--name prefixes the screenshots; --copy is the copy button's label and
// --copied what its status may say, in the page's language)

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const started = Date.now();
const opts = {};
for (let i = 2; i < process.argv.length; i += 2) {
  opts[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const k of ['site', 'artifacts', 'profile', 'chromium']) {
  if (!opts[k]) {
    console.error(`check.mjs: --${k} is required`);
    process.exit(2);
  }
}
const site = path.resolve(opts.site);
const name = opts.name ?? 'index';
const copyLabel = opts.copy ?? 'Kopier';
const copiedSaid = new RegExp(opts.copied ?? 'kopiert|merket');
const shown = (p) => (opts.root ? path.relative(opts.root, p) : p);

const require = createRequire(new URL('./.deps/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const { HtmlValidate } = require('html-validate');

// Never hang: the whole check has two minutes.
const deadline = setTimeout(() => {
  console.error('browser: FAILED: timed out after 120 s');
  process.exit(1);
}, 120_000);
deadline.unref();

const failures = [];
const fail = (msg) => failures.push(msg);

// --- a tiny static server for the output folder --------------------------------
const types = {
  '.html': 'text/html; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.ics': 'text/calendar; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  let rel = decodeURIComponent(url.pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(site, '.' + rel);
  let ok = file.startsWith(site + path.sep);
  try {
    ok = ok && statSync(file).isFile();
  } catch {
    ok = false;
  }
  if (!ok) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': types[path.extname(file)] || 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const pages = (opts.pages ?? 'index.html').split(',');
const pageUrl = `${origin}/index.html`;

// --- html-validate ---------------------------------------------------------------
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
});
let htmlErrors = 0;
for (const file of pages) {
  const html = readFileSync(path.join(site, file), 'utf8');
  const report = await validator.validateString(html, file);
  for (const result of report.results) {
    for (const m of result.messages) {
      htmlErrors += 1;
      fail(`html-validate ${file} ${m.ruleId} at ${m.line}:${m.column}: ${m.message}`);
    }
  }
}

// --- the browser -----------------------------------------------------------------
rmSync(opts.profile, { recursive: true, force: true });
mkdirSync(opts.profile, { recursive: true });
const context = await chromium.launchPersistentContext(opts.profile, {
  executablePath: opts.chromium,
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
  viewport: { width: 390, height: 844 },
  locale: opts.locale ?? 'nb-NO',
  timezoneId: 'Europe/Oslo',
});

const external = new Set();
context.on('request', (req) => {
  const u = new URL(req.url());
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return;
  if (u.hostname !== '127.0.0.1') external.add(req.url());
});
const errors = [];

let axeRules = 0;
const widths = [];
const screenshots = [];
const pickerReport = [];
const clockReport = [];
try {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => errors.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.setDefaultTimeout(15_000);

  const views = [
    { name: 'phone', width: 390, height: 844 },
    { name: 'desktop', width: 1280, height: 900 },
  ];
  for (const file of pages) {
  const url = `${origin}/${file}`;
  const shot = file === 'index.html' ? name : `${name}-${file.replace(/\.html$/, '')}`;
  for (const view of views) {
    await page.setViewportSize({ width: view.width, height: view.height });
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response || response.status() !== 200) {
      fail(`${view.name}: ${url} answered ${response && response.status()}`);
      continue;
    }

    // The first Tab lands on the skip link, which then shows.
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || !a.classList.contains('skiplink')) return { ok: false, what: a && a.outerHTML.slice(0, 80) };
      const r = a.getBoundingClientRect();
      return { ok: r.top >= 0 && r.height >= 24 && r.bottom <= innerHeight, what: a.textContent };
    });
    if (!skip.ok) fail(`${view.name}: the first Tab does not show the skip link (${skip.what})`);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());

    const png = path.join(opts.artifacts, `${shot}-${view.name}.png`);
    await page.screenshot({ path: png, fullPage: true });
    screenshots.push(shown(png));

    for (const state of ['as loaded', 'every <details> open']) {
      if (state !== 'as loaded') {
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      }
      const where = `${file} ${view.name} ${view.width}px, ${state}`;

      // axe-core, WCAG 2.0 and 2.1, levels A and AA.
      if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
        await page.addScriptTag({ content: axeSource });
      }
      const axe = await page.evaluate(() =>
        window.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
          resultTypes: ['violations', 'incomplete'],
        }),
      );
      axeRules = Math.max(axeRules, axe.passes.length);
      for (const v of axe.violations) {
        const nodes = v.nodes.map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`);
        fail(`axe ${v.id} (${v.impact}) at ${where}: ${v.help}\n${nodes.join('\n')}`);
      }
      for (const v of axe.incomplete) {
        console.error(`browser: note: axe needs review at ${where}: ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
      }

      // No horizontal scrolling.
      const scroll = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        inner: window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(0, 5)
          .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')),
      }));
      if (scroll.scroll > scroll.inner) {
        fail(`horizontal scroll at ${where}: scrollWidth ${scroll.scroll} > ${scroll.inner} (${scroll.wide.join(', ')})`);
      } else if (!widths.includes(view.width)) {
        widths.push(view.width);
      }

      // Nothing in <main> is pushed off the page or shrunk to nothing by the
      // CSS (only the visually hidden .vh texts are meant to be).
      const offPage = await page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter((e) => !e.closest('.vh') && e.offsetParent !== null && e.textContent.trim() !== '')
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left + scrollX < 0 || r.top + scrollY < 0 || r.width < 1 || r.height < 1;
          })
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''} "${e.textContent.trim().slice(0, 40)}"`),
      );
      for (const o of offPage) fail(`not visible on the page at ${where}: ${o}`);

      // Tap targets of at least 44x44 CSS pixels (inline links in running
      // text are exempt, as in WCAG 2.5.5/2.5.8).
      const small = await page.evaluate(() =>
        [...document.querySelectorAll('button, input, select, textarea, summary, a.btn, nav a, footer a')]
          .filter((e) => e.offsetParent !== null)
          .map((e) => ({ e, r: e.getBoundingClientRect() }))
          .filter(({ r }) => r.height < 44 || r.width < 44)
          .map(({ e, r }) => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}" ${Math.round(r.width)}x${Math.round(r.height)}`),
      );
      for (const s of small) fail(`tap target under 44px at ${where}: ${s}`);
    }
  }

  // Every #fragment link has a target, here or on the page it names;
  // every download link is a feed; every Atom link an Atom feed.
  const links = await page.evaluate(() => ({
    fragments: [...document.querySelectorAll('a[href^="#"]')]
      .map((a) => a.getAttribute('href').slice(1))
      .filter((id) => !document.getElementById(id)),
    elsewhere: [...document.querySelectorAll('a[href*=".html#"]')].map((a) => a.href),
    downloads: [...document.querySelectorAll('a[download]')].map((a) => a.href),
    atoms: [...document.querySelectorAll('a[type="application/atom+xml"]')].map((a) => a.href),
    buttons: document.querySelectorAll('button.copy').length,
    hiddenButtons: document.querySelectorAll('button.copy[hidden]').length,
  }));
  for (const id of links.fragments) fail(`${file}: link to #${id}, which is not on the page`);
  for (const href of links.elsewhere) {
    const u = new URL(href);
    if (u.origin !== origin) continue;
    const r = await fetch(href);
    const body = await r.text();
    if (r.status !== 200 || !body.includes(`id="${u.hash.slice(1)}"`)) {
      fail(`${file}: link to ${href}, which has no such id (${r.status})`);
    }
  }
  if (links.downloads.length === 0) fail(`${file}: no download link`);
  for (const href of links.downloads) {
    const r = await fetch(href);
    const body = await r.text();
    if (r.status !== 200 || !body.startsWith('BEGIN:VCALENDAR')) {
      fail(`download link ${href} answered ${r.status}, not an iCalendar file`);
    }
  }
  // Atom links are absolute when the site has a base-url: fetched here
  // by file name.
  if (links.atoms.length === 0) fail(`${file}: no Atom link`);
  for (const href of links.atoms) {
    const r = await fetch(`${origin}/${new URL(href).pathname.split('/').pop()}`);
    const body = await r.text();
    if (r.status !== 200 || !body.includes('<feed xmlns="http://www.w3.org/2005/Atom"')) {
      fail(`Atom link ${href} answered ${r.status}, not an Atom feed`);
    }
  }
  if (links.buttons === 0 || links.hiddenButtons !== 0) {
    fail(`${file}: the script should show every Kopier button (${links.buttons} buttons, ${links.hiddenButtons} still hidden)`);
  }
  }
  await page.goto(pageUrl, { waitUntil: 'load' });

  // The first "Kopier" copies the address of the feed beside it.
  const button = page.getByRole('button', { name: new RegExp(`^${copyLabel}`) }).first();
  const inputId = await button.getAttribute('data-copy');
  const address = await page.inputValue(`#${inputId}`);
  await button.click();
  const status = page.locator(`#${await button.getAttribute('data-status')}`);
  await status.filter({ hasText: /\S/ }).waitFor();
  const said = (await status.textContent()).trim();
  let copied = null;
  try {
    copied = await page.evaluate(() => navigator.clipboard.readText());
  } catch (e) {
    console.error(`browser: note: could not read the clipboard back (${e.message})`);
  }
  if (copied !== null && copied !== address) {
    fail(`Kopier put "${copied}" on the clipboard, not "${address}" (status: ${said})`);
  }
  if (!copiedSaid.test(said)) fail(`Kopier said "${said}"`);
  await page.waitForTimeout(100);

  // Without JavaScript: no dead Kopier buttons, the addresses are there.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
  await page.goto(pageUrl, { waitUntil: 'load' });
  const nojs = await page.evaluate(() => ({
    visibleButtons: [...document.querySelectorAll('button')].filter((b) => b.offsetParent !== null).length,
    address: document.querySelector('textarea') && document.querySelector('textarea').value,
  }));
  if (nojs.visibleButtons !== 0) fail(`without JavaScript ${nojs.visibleButtons} buttons show that can do nothing`);
  if (!nojs.address || !/\.ics$/.test(nojs.address)) fail(`without JavaScript the first address is "${nojs.address}"`);
  const nojsList = await page.evaluate(() => ({
    picker: document.querySelector('.picker') && document.querySelector('.picker').offsetParent !== null,
    systems: [...document.querySelectorAll('ul.systems > li')].filter((li) => li.offsetParent !== null).length,
    all: document.querySelectorAll('ul.systems > li').length,
  }));
  if (nojsList.picker) fail('without JavaScript the filter field shows, and can do nothing');
  if (nojsList.systems !== nojsList.all || nojsList.all === 0) {
    fail(`without JavaScript ${nojsList.systems} of ${nojsList.all} systems show`);
  }
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });

  // The filter: near the top on a phone, and it narrows the list.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(pageUrl, { waitUntil: 'load' });
  const picker = page.locator('.picker input');
  const top = await picker.evaluate((e) => e.getBoundingClientRect().top + scrollY);
  pickerReport.push(`filter field at ${Math.round(top)} px of ${await page.evaluate(() => document.documentElement.scrollHeight)} px at 390px`);
  if (top > 2 * 844) fail(`the system filter is ${Math.round(top)} px down at 390px, more than two screens`);
  const visible = () => page.evaluate(() =>
    [...document.querySelectorAll('ul.systems > li')].filter((li) => !li.hidden).map((li) => li.firstElementChild.textContent));
  const all = (await visible()).length;
  for (const [query, expect] of JSON.parse(opts.filters ?? '[["vis", ["Visma"]], ["zzz", []], ["", null]]')) {
    await picker.fill(query);
    const got = await visible();
    const want = expect ?? null;
    if (want === null ? got.length !== all : JSON.stringify(got) !== JSON.stringify(want)) {
      fail(`filter "${query}" shows ${JSON.stringify(got)}`);
    }
    const count = (await page.locator('.picker [role="status"]').textContent()).trim();
    pickerReport.push(`"${query}": ${got.length} of ${all} shown${count ? ` (says "${count}")` : ''}`);
  }

  // "Pågår nå" by a faked clock: before, during and after an event.
  if (opts['now-title']) {
    const start = Date.parse(opts['now-start']);
    const end = Date.parse(opts['now-end']);
    const minute = 60_000;
    const firstSystem = await page.evaluate(() => document.querySelector('ul.systems a.sys').getAttribute('href'));
    for (const file of ['index.html', firstSystem]) {
      for (const [when, at, shows] of [
        ['before', start - minute, false],
        ['during', start + minute, true],
        ['after', end + minute, false],
      ]) {
        const clocked = await context.newPage();
        clocked.on('pageerror', (e) => errors.push(`script error: ${e.message}`));
        await clocked.clock.setFixedTime(new Date(at));
        await clocked.goto(`${origin}/${file}`, { waitUntil: 'load' });
        const seen = await clocked.evaluate((title) => ({
          clock: new Date().toISOString(),
          items: [...document.querySelectorAll('.now-list li')].filter((li) => !li.hidden).map((li) => li.textContent.trim()),
          none: [...document.querySelectorAll('section.now p.empty')].some((p) => !p.hidden),
          // The tag on the first system's next event, in the index's list.
          rowTag: (() => {
            const tag = document.querySelector('ul.systems > li .tag-now');
            return tag ? !tag.hidden : null;
          })(),
          // The event's own "Pågår nå" tag, on a page with the event in full.
          articles: [...document.querySelectorAll('article h3')].filter((h) => h.textContent.includes(title)).length,
          tagged: [...document.querySelectorAll('article h3')]
            .filter((h) => h.textContent.includes(title))
            .some((h) => [...h.querySelectorAll('.tag-now')].some((t) => !t.hidden)),
        }), opts['now-title']);
        await clocked.close();
        const has = seen.items.some((t) => t.includes(opts['now-title']));
        clockReport.push(`${file} at ${seen.clock} (${when}): ${seen.items.length ? seen.items.map((t) => `"${t.slice(0, 70)}"`).join(', ') : 'nothing listed'}; "nothing now" note ${seen.none ? 'shown' : 'hidden'}`);
        if (seen.clock !== new Date(at).toISOString()) fail(`the faked clock reads ${seen.clock}, not ${new Date(at).toISOString()}`);
        if (has !== shows) fail(`${file} ${when} (${seen.clock}): "${opts['now-title']}" ${has ? 'shown' : 'not shown'}`);
        if (seen.none !== (seen.items.length === 0)) fail(`${file} ${when}: the "nothing now" note is ${seen.none ? 'shown' : 'hidden'} with ${seen.items.length} items`);
        if (file === 'index.html') {
          if (seen.rowTag === null) fail('the first system in the index has no ongoing tag for its next event');
          if (seen.rowTag !== shows) fail(`index.html ${when}: the first system's next event is ${seen.rowTag ? '' : 'not '}tagged as ongoing`);
          clockReport.push(`index.html at ${seen.clock} (${when}): the first system's next event ${seen.rowTag ? 'tagged' : 'not tagged'} as ongoing`);
        } else {
          if (seen.articles === 0) fail(`${file} has no article about "${opts['now-title']}"`);
          if (seen.tagged !== shows) fail(`${file} ${when}: the event's own tag is ${seen.tagged ? 'shown' : 'hidden'}`);
          clockReport.push(`${file} at ${seen.clock} (${when}): the event's own ongoing tag ${seen.tagged ? 'shown' : 'hidden'}`);
        }
      }
    }
  }
} catch (e) {
  fail(`the browser run stopped: ${e.stack || e}`);
} finally {
  await context.close().catch(() => {});
  server.close();
}

for (const line of pickerReport) console.log(`browser: ${name}: filter: ${line}`);
for (const line of clockReport) console.log(`browser: ${name}: clock: ${line}`);
for (const e of errors) fail(e);
for (const u of external) fail(`request to outside 127.0.0.1: ${u}`);

const secs = ((Date.now() - started) / 1000).toFixed(1);
if (failures.length > 0) {
  for (const f of failures) console.error(`browser: ${name}: FAIL: ${f}`);
  console.error(`browser: ${name}: FAILED: ${failures.length} problems (${secs} s)`);
  process.exit(1);
}
console.log(
  `browser: ${name}: OK: 0 axe violations (${axeRules} rules passed), ` +
    `no horizontal scroll at ${widths.map((w) => `${w}px`).join(' and ')}, ` +
    `html-validate: ${htmlErrors} errors, no external requests, ${copyLabel} works, ` +
    `screenshots: ${screenshots.join(', ')} (${secs} s)`,
);
