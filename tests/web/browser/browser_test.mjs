// The search page in headless Chromium: what a newsroom colleague does with it.
//
// Indexes corpus/ (plus one article whose text is markup) with wiredesk-index, starts
// wiredesk-serve on an ephemeral loopback port, and drives Debian's /usr/bin/chromium with
// playwright-core: type a query, see results, filter by a source, page, use the back button,
// open an article, filter by the date histogram, follow "did you mean", open a shared link.
// Screenshots at desktop and phone widths go to $WIREDESK_SCREENSHOT_DIR.
//
// Run by ctest (web.browser) through run_browser_test.cmake, which sets the environment.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run this test through ctest)`);
  return value;
};
const sourceDir = env('WIREDESK_SOURCE_DIR');
const binDir = env('WIREDESK_BIN_DIR');
const chromiumPath = process.env.WIREDESK_CHROMIUM || '/usr/bin/chromium';
const screenshotDir = env('WIREDESK_SCREENSHOT_DIR');

const STEP_TIMEOUT = 15000;  // every wait is bounded
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wiredesk-browser-'));
let server = null;
let browser = null;  // the persistent browser context
const failures = [];

function log(message) {
  process.stdout.write(`${message}\n`);
}

// ---- Fixture: the archive and the server ---------------------------------------------------

function indexArchive() {
  const markup = path.join(work, 'markup');
  fs.mkdirSync(markup);
  fs.writeFileSync(path.join(markup, 'markup.jsonl'), JSON.stringify({
    id: 'markup-1',
    title: '<script>window.__xss = 1</script> Harbour pilots <b>protest</b>',
    text: 'Pilots wrote <img src=x onerror="window.__xss = 2"> in the zanzibarian harbour log.\n\n' +
          'A second paragraph: <a href="javascript:window.__xss = 3">click</a>.',
    date: '2026-03-01', source: 'Test <Wire>', url: 'javascript:window.__xss = 4', lang: 'en',
  }) + '\n');
  const db = path.join(work, 'news.db');
  const result = spawnSync(path.join(binDir, 'wiredesk-index'),
    ['--db', db, '--quiet', '--exclude', 'malformed', '--exclude', 'README.md',
      path.join(sourceDir, 'corpus'), markup],
    { encoding: 'utf8', timeout: 60000 });
  assert.equal(result.status, 0, `wiredesk-index failed: ${result.stderr}`);
  return db;
}

function startServer(db) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'wiredesk-serve'), ['--db', db, '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`wiredesk-serve did not start: ${err}`)), STEP_TIMEOUT);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], log: () => err });
      }
    });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wiredesk-serve exited (${code}): ${err}`));
    });
  });
}

async function stopServer() {
  if (!server) return null;
  const { child } = server;
  server = null;
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
  if (code === 'timeout') child.kill('SIGKILL');
  return code;
}

// ---- The browser ---------------------------------------------------------------------------

/** Chromium with a new, empty profile (one persistent context; pages are its tabs). */
async function launch() {
  const profile = fs.mkdtempSync(path.join(work, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    timeout: 60000,
    viewport: DESKTOP,
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A tab at @p viewport that records console errors, page errors and requests elsewhere. */
async function openPage(viewport) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url)) page.problems.push(`request elsewhere: ${request.url()}`);
  });
  return page;
}

async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`  screenshot ${file}`);
}

const statusText = (page) => page.locator('#status').innerText();

async function waitForResults(page, pattern) {
  await page.waitForFunction((source) => {
    const status = document.querySelector('#status');
    return status && new RegExp(source).test(status.textContent) && !document.querySelector('#search-view[aria-busy]');
  }, pattern.source, { timeout: STEP_TIMEOUT });
}

async function step(name, body) {
  log(`- ${name}`);
  try {
    await body();
  } catch (error) {
    failures.push(`${name}: ${error.stack || error}`);
    log(`  FAILED: ${error.message}`);
  }
}

// ---- The scenario --------------------------------------------------------------------------

async function desktopScenario() {
  const page = await openPage(DESKTOP);

  await step('the start page offers a search box', async () => {
    await page.goto(server.url + '/');
    await page.waitForFunction(() => /archive holds/.test(document.querySelector('#archive-size').textContent));
    assert.match(await page.locator('#archive-size').innerText(), /54 articles/);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
  });

  await step('typing a query shows results with highlighted snippets', async () => {
    await page.locator('#q').fill('rotterdam strike');
    await page.keyboard.press('Enter');
    await waitForResults(page, /results? for “rotterdam strike”/);
    assert.match(new URL(page.url()).search, /q=rotterdam\+strike/);
    // One result per story: the six AFP copies and the Lowlands Herald's own report of the
    // strike show once, and the follow-up on the deal, six days later, is a story of its own.
    const hits = page.locator('#results li.hit');
    assert.ok(await hits.count() >= 2);
    assert.ok(await page.locator('#results .snippet mark').count() > 0, 'snippets are highlighted');
    assert.match((await page.locator('#results .snippet mark').first().innerText()).toLowerCase(), /rotterdam|strike/);
    assert.ok(await page.locator('#facet-sources button.facet').count() > 1, 'source facets listed');
    assert.ok(await page.locator('#facet-langs button.facet').count() >= 1, 'language facets listed');
    assert.ok(await page.locator('#histogram .bar').count() > 1, 'date histogram drawn');
    await screenshot(page, 'desktop-results');
  });

  await step('a wire story shows once; its similar reports expand, earliest named', async () => {
    const line = page.locator('#results .group-line').first();
    await line.waitFor({ timeout: STEP_TIMEOUT });
    assert.match(await line.locator('.group-summary').innerText(), /AFP, .*2026.*also in .+/);
    const button = line.locator('button.group-toggle');
    const label = await button.innerText();
    const match = label.match(/^(\d+) similar reports?$/);
    assert.ok(match, `button says "${label}"`);
    const others = Number(match[1]);
    assert.ok(others >= 5, 'the five copies of the AFP story, at least');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    const list = page.locator(`#${await button.getAttribute('aria-controls')}`);
    assert.equal(await list.isHidden(), true);
    await button.click();
    await page.waitForFunction((id) => {
      const items = document.querySelectorAll(`#${id} li.group-member`);
      return items.length > 0;
    }, await button.getAttribute('aria-controls'), { timeout: STEP_TIMEOUT });
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    assert.equal(await list.locator('li.group-member').count(), others);
    const members = await list.locator('li.group-member').allInnerTexts();
    assert.ok(members.some((m) => /Metro Pulse/.test(m)), 'members list the outlets');
    assert.ok(members.some((m) => /Lowlands Herald/.test(m)), 'and the story\'s other write-up');
    await screenshot(page, 'desktop-group-expanded');
    // The keyboard folds it again.
    await button.focus();
    await page.keyboard.press('Enter');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.equal(await list.isHidden(), true);
  });

  await step('clicking a source narrows the results to it', async () => {
    const before = await page.locator('#results .source-link').allInnerTexts();
    assert.ok(before.some((source) => source !== 'AFP'), 'other outlets before the filter');
    const afp = page.locator('#facet-sources button.facet', { hasText: 'AFP' });
    await afp.click();
    await waitForResults(page, /results? for/);
    await page.waitForFunction(() => location.search.includes('source=AFP'));
    // The status may read the same (AFP has a report in each story): the hits tell.
    await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('#results .source-link')];
      return shown.length > 0 && shown.every((link) => link.innerText === 'AFP');
    }, null, { timeout: STEP_TIMEOUT });
    const sources = await page.locator('#results .source-link').allInnerTexts();
    assert.ok(sources.length > 0);
    for (const source of sources) assert.equal(source, 'AFP');
    assert.equal(await page.locator('#facet-sources button[aria-pressed="true"]').count(), 1);
    assert.equal(await page.locator('#active-filters .chip').count(), 1);
  });

  await step('the back button returns to the unfiltered results', async () => {
    await page.goBack();
    await page.waitForFunction(() => !location.search.includes('source='));
    await waitForResults(page, /results? for “rotterdam strike”/);
    assert.equal(await page.locator('#active-filters .chip').count(), 0);
    assert.ok((await page.locator('#results .source-link').allInnerTexts()).some((s) => s !== 'AFP'));
  });

  await step('paging through a long result list, and back', async () => {
    await page.locator('#q').fill('said');
    await page.keyboard.press('Enter');
    await waitForResults(page, /showing 1–10/);
    const firstPage = await page.locator('#results .hit-title').allInnerTexts();
    await page.locator('#pager .pager-next').click();
    await waitForResults(page, /showing 11–20/);
    assert.match(page.url(), /page=2/);
    assert.equal(await page.locator('#pager [aria-current="page"]').innerText(), '2');
    const secondPage = await page.locator('#results .hit-title').allInnerTexts();
    assert.notDeepEqual(secondPage, firstPage);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'results-heading', 'focus moves to the results');
    await page.locator('#pager a[aria-label="Page 3"]').click();
    await waitForResults(page, /showing 21–30/);
    await page.goBack();
    await waitForResults(page, /showing 11–20/);
    await page.goBack();
    await waitForResults(page, /showing 1–10/);
    assert.deepEqual(await page.locator('#results .hit-title').allInnerTexts(), firstPage);
  });

  await step('the sort switch reorders, newest first', async () => {
    await page.selectOption('#sort', 'newest');
    await waitForResults(page, /showing 1–10/);
    assert.match(page.url(), /sort=newest/);
    const dates = await page.locator('#results time').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime')));
    assert.ok(dates.length > 2);
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  await step('a bar of the date histogram filters to its dates; dragging picks a range', async () => {
    const bars = page.locator('#histogram .bar:not(.zero)');
    assert.ok(await bars.count() >= 2);
    const label = await bars.first().getAttribute('aria-label');
    const total = Number(/: (\d+) results?/.exec(label)[1]);
    await bars.first().click();
    await page.waitForFunction(() => location.search.includes('from='));
    await waitForResults(page, new RegExp(`^${total} results? for`));
    assert.equal(await page.locator('#active-filters .chip', { hasText: 'Dates' }).count(), 1);
    // Drag across every bar of the new (narrower) histogram... on the full one: go back first.
    await page.goBack();
    await waitForResults(page, /showing 1–10/);
    const all = page.locator('#histogram .bar');
    const count = await all.count();
    const first = await all.nth(0).boundingBox();
    const last = await all.nth(Math.min(count - 1, 3)).boundingBox();
    await page.mouse.move(first.x + first.width / 2, first.y + first.height - 2);
    await page.mouse.down();
    await page.mouse.move(last.x + last.width / 2, last.y + last.height - 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => /from=.*&to=/.test(location.search));
    const params = new URL(page.url()).searchParams;
    assert.ok(params.get('from') < params.get('to'), `a range: ${params.get('from')}..${params.get('to')}`);
    await waitForResults(page, /results? for “said”/);
  });

  await step('opening an article shows it whole; back returns to the results', async () => {
    await page.goto(server.url + '/?q=rotterdam+strike');
    await waitForResults(page, /results? for/);
    const title = page.locator('#results .hit-title').first();
    const headline = await title.innerText();
    await title.click();
    await page.waitForSelector('#article-view h1');
    assert.equal(await page.locator('#article-view h1').innerText(), headline);
    assert.ok(await page.locator('#article-view .body p').count() >= 3, 'paragraphs shown');
    assert.match(page.url(), /article=/);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the headline');
    await screenshot(page, 'desktop-article');
    // The URL is the view: a new tab on it shows the same article.
    const shared = await openPage(DESKTOP);
    await shared.goto(page.url());
    await shared.waitForSelector('#article-view h1');
    assert.equal(await shared.locator('#article-view h1').innerText(), headline);
    assert.deepEqual(shared.problems, []);
    await shared.close();
    await page.goBack();
    await waitForResults(page, /results? for “rotterdam strike”/);
    assert.equal(await page.locator('#article-view').isHidden(), true);
  });

  await step('"did you mean" offers the corrected query', async () => {
    await page.locator('#q').fill('rotterdm');
    await page.keyboard.press('Enter');
    await waitForResults(page, /0 results for/);
    const suggestion = page.locator('#suggestion a');
    assert.equal(await suggestion.innerText(), 'rotterdam');
    await suggestion.click();
    await waitForResults(page, /results? for “rotterdam”/);
    assert.equal(await page.locator('#q').inputValue(), 'rotterdam');
  });

  await step('a shared link with filters shows the same view', async () => {
    const shared = await openPage(DESKTOP);
    await shared.goto(server.url + '/?q=said&source=AFP&source=Reuters&sort=oldest&page=1');
    await waitForResults(shared, /results? for “said”/);
    assert.equal(await shared.locator('#facet-sources button[aria-pressed="true"]').count(), 2);
    assert.equal(await shared.locator('#sort').inputValue(), 'oldest');
    for (const source of await shared.locator('#results .source-link').allInnerTexts()) {
      assert.ok(['AFP', 'Reuters'].includes(source), source);
    }
    assert.deepEqual(shared.problems, []);
    await shared.close();
  });

  await step('article text containing markup shows as text and never runs', async () => {
    await page.goto(server.url + '/?q=zanzibarian');
    await waitForResults(page, /1 result for/);
    const title = page.locator('#results .hit-title').first();
    assert.match(await title.innerText(), /^<script>window.__xss = 1<\/script> Harbour pilots <b>protest<\/b>$/);
    assert.match(await page.locator('#results .snippet').first().innerText(), /<a href="javascript:/);
    assert.equal(await page.locator('#results img, #results script, #results b').count(), 0);
    // The source's markup is text too, in the hit, its facet and its filter link.
    assert.equal(await page.locator('#results .source-link').first().innerText(), 'Test <Wire>');
    assert.equal(await page.locator('#facet-sources button.facet', { hasText: 'Test <Wire>' }).count(), 1);
    assert.equal(await page.locator('wire').count(), 0, 'no <wire> element was made');
    await title.click();
    await page.waitForSelector('#article-view h1');
    assert.match(await page.locator('#article-view h1').innerText(), /^<script>window.__xss = 1<\/script> Harbour/);
    assert.match(await page.locator('#article-view .meta').innerText(), /^Test <Wire> · /);
    // The img tag and its onerror handler are visible as typed, and never an element.
    assert.match(await page.locator('#article-view .body').innerText(), /<img src=x onerror="window.__xss = 2">/);
    assert.equal(await page.locator('#article-view img, #article-view script, #article-view wire').count(), 0);
    assert.match(await page.locator('#article-view .body').innerText(), /<a href="javascript:/);
    assert.equal(await page.locator('#article-view .body a, #article-view .body img').count(), 0);
    assert.equal(await page.locator('#article-view a[href^="javascript:"]').count(), 0, 'a javascript: URL is not a link');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  });

  await step('an unknown article and a bad query are explained, not broken', async () => {
    const known = page.problems.length;
    await page.goto(server.url + '/?article=no-such-id');
    await page.waitForSelector('#article-view .error');
    assert.match(await page.locator('#article-view .error').innerText(), /not in the archive/);
    await page.goto(server.url + '/?q=said&from=yesterday');
    await page.waitForSelector('#status.error');
    assert.match(await statusText(page), /from is not a date/);
    // Chromium logs the 404 and the 400 themselves; the page handled both.
    const added = page.problems.splice(known);
    assert.deepEqual(added.filter((p) => !/Failed to load resource.*(404|400)/.test(p)), []);
  });

  assert.deepEqual(page.problems, [], 'no console errors, page errors or outside requests');
  await page.close();
}

async function phoneScenario() {
  const page = await openPage(PHONE);
  await step('phone: results fit the screen, facets fold away', async () => {
    await page.goto(server.url + '/?q=rotterdam+strike');
    await waitForResults(page, /results? for/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    assert.equal(await page.locator('#refine').getAttribute('open'), null, 'facets folded');
    await screenshot(page, 'phone-results');
    await page.locator('#refine summary').click();
    await page.locator('#facet-sources button.facet', { hasText: 'AFP' }).click();
    await page.waitForFunction(() => location.search.includes('source=AFP'));
    await waitForResults(page, /results? for/);
    await screenshot(page, 'phone-filtered');
  });
  await step('phone: an article reads well', async () => {
    await page.locator('#results .hit-title').first().click();
    await page.waitForSelector('#article-view h1');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    await screenshot(page, 'phone-article');
  });
  assert.deepEqual(page.problems, [], 'no console errors, page errors or outside requests');
  await page.close();
}

async function keyboardScenario() {
  const page = await openPage(DESKTOP);
  await step('keyboard only: search, filter by a source, open an article', async () => {
    await page.goto(server.url + '/');
    await page.keyboard.press('Tab');  // the skip link comes first
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
    await page.locator('#q').focus();
    await page.keyboard.type('port');
    await page.keyboard.press('Enter');
    await waitForResults(page, /results? for “port”/);
    await page.locator('#facet-sources button.facet').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('source='));
    await waitForResults(page, /results? for “port”/);
    // Histogram: one bar in the tab order; arrows move, Enter filters.
    await page.locator('#histogram .bar[tabindex="0"]').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('from='));
    await waitForResults(page, /results? for “port”/);
    await page.locator('#results .hit-title').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#article-view h1');
    // Every control has a name a screen reader can say.
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, a, input, select')]
      .filter((node) => node.offsetParent !== null)
      .filter((node) => !(node.getAttribute('aria-label') || node.textContent.trim() || (node.labels && node.labels.length)))
      .map((node) => node.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
  });
  assert.deepEqual(page.problems, [], 'no console errors, page errors or outside requests');
  await page.close();
}

async function main() {
  const overall = setTimeout(() => {
    log('browser test: timed out after 300 s');
    process.exit(1);
  }, 300000);
  try {
    const db = indexArchive();
    server = await startServer(db);
    log(`wiredesk-serve at ${server.url}`);
    browser = await launch();
    await desktopScenario();
    await phoneScenario();
    await keyboardScenario();
  } catch (error) {
    failures.push(`setup: ${error.stack || error}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    const code = await stopServer();
    if (code !== 0 && code !== null) failures.push(`wiredesk-serve stopped with ${code}`);
    clearTimeout(overall);
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failures.length) {
    log(`\n${failures.length} failure(s):\n${failures.join('\n\n')}`);
    process.exit(1);
  }
  log('browser test: all steps passed');
}

main();
