#!/usr/bin/env node
// The search page in a real browser (issue 17): headless Chromium driven by
// puppeteer-core, over the bundled example and tests/fixtures/search-hostile,
// both built under a sub-path base URL and served by a small static server
// below (`/briefs/` and `/hostile/`). Its results are also checked against
// scripts/search_query.py, the index read in Python (needs python3).
//
//   PUPPETEER_DIR=DIR DOSSIER=path/to/dossier node tests/browser/search.mjs
//
// DIR holds node_modules/puppeteer-core (.ci/run installs it there);
// CHROMIUM names the browser (default /usr/bin/chromium). Builds into a
// temporary folder, removed at the end; exits 1 at the first failed check.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { PUPPETEER_DIR, DOSSIER } = process.env;
if (!PUPPETEER_DIR || !DOSSIER) {
  console.error("usage: PUPPETEER_DIR=DIR DOSSIER=path/to/dossier node tests/browser/search.mjs");
  process.exit(2);
}
const puppeteer = createRequire(path.join(path.resolve(PUPPETEER_DIR), "node_modules", "/"))("puppeteer-core");

// The example's brief that "jedi protest" must find first.
const PROTEST = { title: "AWS Takes Its JEDI Loss to Federal Court", url: "/briefs/briefs/aws-files-jedi-protest/" };
const HOSTILE_TITLE = "</script><img src=x onerror=alert(1)>";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "dossier-search-"));
const sites = { "/briefs/": path.join(work, "example"), "/hostile/": path.join(work, "hostile") };

// ------------------------------------------------------------ the server

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml" };

// Each prefix of `sites` is its output folder; a folder's index.html
// answers for it; everything else is a 404.
function serve(request, response) {
  const pathname = decodeURIComponent(new URL(request.url, "http://x").pathname);
  const prefix = Object.keys(sites).find((p) => pathname.startsWith(p));
  let file = prefix && path.join(sites[prefix], pathname.slice(prefix.length));
  if (file && !file.startsWith(sites[prefix])) file = null;
  if (file && pathname.endsWith("/")) file = path.join(file, "index.html");
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found");
    return;
  }
  response.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(response);
}

// ------------------------------------------------------------- the checks

let checks = 0;
function check(ok, what, detail = "") {
  if (!ok) throw new Error(`FAILED: ${what}${detail ? `\n  ${detail}` : ""}`);
  checks += 1;
  console.log(`ok - ${what}`);
}

function build(root, out, baseUrl) {
  const run = spawnSync(DOSSIER, ["build", "--root", root, "--output", out, "--base-url", baseUrl], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`dossier build --root ${root} failed:\n${run.stderr}`);
}

// The page's results once the search that typing started has ended (the
// script waits 150 ms after a keystroke) and the status line says `pattern`.
async function results(page, pattern) {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const done = (source) => !document.querySelector(".search-results[aria-busy]") && new RegExp(source).test(document.querySelector(".search-status").textContent);
  await page.waitForFunction(done, { timeout: 5000 }, pattern.source);
  return page.$$eval(".search-results .card", (cards) =>
    cards.map((c) => ({ title: c.querySelector(".card-title").textContent, href: c.querySelector(".card-title a").getAttribute("href"), kicker: c.querySelector(".kicker")?.textContent ?? "", dek: c.querySelector(".card-dek")?.textContent ?? "" }))
  );
}

const statusText = (page) => page.$eval(".search-status", (s) => s.textContent);

async function retype(page, text) {
  await page.click("#search-q", { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.type("#search-q", text);
}

async function example(browser, origin) {
  const page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844 });

  // Straight from the address, as the masthead's form sends it.
  await page.goto(`${origin}/briefs/search/?q=jedi%20protest`);
  let found = await results(page, /results? for “jedi protest”/);
  check(found[0]?.title === PROTEST.title, "“jedi protest” finds the AWS protest brief first", JSON.stringify(found.slice(0, 3)));
  check(found[0].href === PROTEST.url, "its link is under the sub-path", found[0].href);
  const linked = await fetch(origin + found[0].href);
  check(linked.status === 200, "its link resolves", `${linked.status}`);
  check(/^\d+ results? for “jedi protest”$/.test(await statusText(page)), "the status line counts the results", await statusText(page));

  // Typing changes the results and the address.
  await retype(page, "tiktok");
  found = await results(page, /for “tiktok”/);
  check(found.length > 0 && found.every((r) => r.title !== PROTEST.title), "typing a new query updates the results", JSON.stringify(found.map((r) => r.title)));
  check(new URL(page.url()).search === "?q=tiktok", "the address follows the query", page.url());

  // The word being typed matches as a prefix; a finished one does not.
  await retype(page, "micros");
  found = await results(page, /for “micros”/);
  check(found.some((r) => r.title === "Microsoft" && r.kicker === "Company"), "a word being typed matches as a prefix (“micros” → Microsoft)", JSON.stringify(found.map((r) => r.title)));
  await page.type("#search-q", " ");
  found = await results(page, /(No results|results?) for “micros”/);
  check(found.every((r) => r.title !== "Microsoft"), "a word followed by a space does not", JSON.stringify(found.map((r) => r.title)));

  // A filter narrows the results; alone, it lists its documents.
  await retype(page, "jedi");
  const all = await results(page, /for “jedi”$/);
  await page.select("#search-company", "google");
  const narrowed = await results(page, /for “jedi” in Google$/);
  check(narrowed.length > 0 && narrowed.length < all.length, `the company filter narrows “jedi” (${all.length} → ${narrowed.length})`);
  check(new URL(page.url()).searchParams.get("company") === "google", "the address keeps the filter", page.url());
  await retype(page, "");
  const alone = await results(page, /results? for Google$/);
  const option = await page.$eval("#search-company", (s) => s.selectedOptions[0].text);
  check(option === `Google (${alone.length})`, "a filter alone lists all of its documents", `${option}, ${alone.length} shown`);
  await page.select("#search-company", "");

  // Twenty at a time.
  await retype(page, "the");
  found = await results(page, /for “the”$/);
  const total = Number((await statusText(page)).match(/^\d+/)[0]);
  check(found.length === Math.min(20, total) && total > 20, `the first 20 of ${total} results are shown`);
  await page.click(".search-more");
  await page.waitForFunction((n) => document.querySelectorAll(".search-results .card").length > n, {}, found.length);
  const focused = await page.evaluate(() => document.activeElement.closest(".card") === document.querySelectorAll(".search-results .card")[20]);
  check(focused, "“More results” shows more and moves focus to the first new one");

  await page.close();

  // The masthead's form on any page leads to the search page.
  const home = await browser.newPage();
  await home.setViewport({ width: 1280, height: 900 });
  await home.goto(`${origin}/briefs/`);
  await home.type(".masthead-search input[name=q]", "jedi protest");
  await Promise.all([home.waitForNavigation(), home.keyboard.press("Enter")]);
  found = await results(home, /for “jedi protest”/);
  check(new URL(home.url()).pathname === "/briefs/search/" && found[0]?.title === PROTEST.title, "the masthead's form searches from any page", home.url());
  await home.close();

  // Without an index, the status line says so.
  const broken = await browser.newPage();
  await broken.setRequestInterception(true);
  broken.on("request", (r) => (r.url().endsWith("/search/index.json") ? r.respond({ status: 404, body: "" }) : r.continue()));
  await broken.goto(`${origin}/briefs/search/?q=jedi`);
  await broken.waitForSelector(".search-status.search-error");
  check(/not available/.test(await statusText(broken)), "a missing index is reported in the status line", await statusText(broken));
  await broken.close();
}

// The script and scripts/search_query.py (the format read in Python) give
// the same results in the same order.
async function agreement(browser, origin) {
  const page = await browser.newPage();
  await page.goto(`${origin}/briefs/search/`);
  for (const query of ["jedi protest", "micros", "cloud contract", "PENTAGÓN", "the"]) {
    const python = spawnSync("python3", [path.join(repo, "scripts/search_query.py"), sites["/briefs/"], query], { encoding: "utf8" });
    if (python.status !== 0) throw new Error(`search_query.py ${query}: ${python.stderr}`);
    const expected = python.stdout.split("\n").filter(Boolean).map((line) => line.split("\t")[1]);
    await retype(page, query);
    const found = (await results(page, /for “/)).map((r) => r.href);
    check(found.join(" ") === expected.join(" "), `“${query}”: the same ${expected.length} results as scripts/search_query.py`, `${found.join(" ")}\n  ${expected.join(" ")}`);
  }
  await page.close();
}

// 32-bit FNV-1a over UTF-8, as docs/search.md numbers shards.
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text)) h = Math.imul(h ^ byte, 16777619);
  return h >>> 0;
}

// A page whose n-th request for the manifest gets `answer(n)` (a response's
// headers and body) when that is not false, the real file otherwise;
// `asked()` says how many it made.
async function answeringManifests(browser, answer) {
  const page = await browser.newPage();
  let manifests = 0;
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    if (!r.url().endsWith("/search/index.json")) return r.continue();
    manifests += 1;
    const given = answer(manifests);
    return given ? r.respond({ status: 200, contentType: "application/json", ...given }) : r.continue();
  });
  return { page, asked: () => manifests };
}

// The index's files have fixed names, so a page must notice a new build by
// its manifest: once a file is missing, and before searching with a
// manifest it has held for a minute.
async function newBuild(browser, origin) {
  const manifest = JSON.parse(fs.readFileSync(path.join(sites["/briefs/"], "search", "index.json"), "utf8"));
  const stale = { ...manifest, id: "stale", lexicon_shards: 4096 };
  check(fnv1a("or") % 4096 >= manifest.lexicon_shards, "(the stale manifest names a lexicon shard that does not exist)");
  const { page, asked } = await answeringManifests(browser, (n) => n === 1 && { body: JSON.stringify(stale) });
  await page.goto(`${origin}/briefs/search/?q=oracle`);
  let found = await results(page, /results? for “oracle”/);
  check(found.length > 0 && asked() === 2, "a missing file makes the page ask for the manifest again, and search with the new one", `${asked()} manifests`);
  await retype(page, "jwcc");
  await results(page, /for “jwcc”/);
  check(asked() === 2, "a search within a minute uses the manifest the page holds", `${asked()} manifests`);
  await page.evaluate(() => {
    const now = Date.now;
    Date.now = () => now.call(Date) + 120000;
  });
  await retype(page, "google");
  found = await results(page, /for “google”/);
  check(found.length > 0 && asked() === 3, "a search after a minute asks for the manifest again first", `${asked()} manifests`);
  await page.close();
}

// While `dossier serve` brings the index up to date with an edit, its
// manifest carries `x-dossier-index: updating`: the page shows what it
// found, says the index is catching up, and searches again (asking for the
// manifest each time) until the header is gone. The first MARKED manifests
// here are the built one with that header.
async function catchingUp(browser, origin) {
  const MARKED = 2;
  const body = fs.readFileSync(path.join(sites["/briefs/"], "search", "index.json"), "utf8");
  const { page, asked } = await answeringManifests(browser, (n) => n <= MARKED && { headers: { "x-dossier-index": "updating" }, body });
  await page.goto(`${origin}/briefs/search/?q=jedi%20protest`);
  // The status says so for about CATCH_UP_MS per marked manifest: caught
  // on the mutation, not by sleeping past it.
  await page.waitForFunction(() => /catching up/.test(document.querySelector(".search-status").textContent), { polling: "mutation", timeout: 5000 });
  const during = await statusText(page);
  const first = await page.$eval(".search-results .card-title", (h) => h.textContent);
  check(/^\d+ results? for “jedi protest”.? The index is catching up with an edit; searching again…$/.test(during) && first === PROTEST.title, "a manifest marked “updating”: the results so far, and the status line says the index is catching up", `${during} / ${first}`);
  const found = await results(page, /^\d+ results? for “jedi protest”$/);
  check(asked() === MARKED + 1, `the page searches again until the manifest is no longer marked (${MARKED} marked, ${asked()} asked for)`);
  check(found[0]?.title === PROTEST.title && during.startsWith(`${found.length} result`), "then the status line is the usual one, over the same results", `${await statusText(page)} / ${JSON.stringify(found.slice(0, 3))}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  check(asked() === MARKED + 1 && !/catching up/.test(await statusText(page)), "and it stops searching again", `${asked()} manifests, ${await statusText(page)}`);
  await page.close();
}

async function hostile(browser, origin) {
  const page = await browser.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await page.goto(`${origin}/hostile/search/?q=zebrafish`);
  const found = await results(page, /results? for “zebrafish”/);
  check(found[0]?.title === HOSTILE_TITLE, "a headline that is markup comes back as its text", JSON.stringify(found[0]));
  check(found[0].dek.includes("<img src=x onerror=alert(2)>") && found[0].kicker.includes("<b onmouseover=alert(4)>"), "so do its dek and kicker", JSON.stringify(found[0]));
  const visible = await page.$eval(".search-results .card-title", (h) => h.getBoundingClientRect().height > 0 && getComputedStyle(h).visibility === "visible");
  check(visible, "and the text is visible");
  const injected = await page.evaluate(() => document.querySelectorAll(".search-results img, .search-results script, .search-results b, [onerror], [onmouseover]").length);
  check(injected === 0, "no element of that markup exists in the page", `${injected} found`);
  await page.select("#search-company", "hostile");
  const option = await page.$eval("#search-company", (s) => s.selectedOptions[0].text);
  check(option.startsWith("<img src=x onerror=alert(5)> ("), "a company name that is markup is a filter's text", option);
  await new Promise((resolve) => setTimeout(resolve, 200));
  check(dialogs.length === 0, "no script from the index ever ran", dialogs.join(", "));
  await page.close();
}

const server = http.createServer(serve);
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
let failed = false;
try {
  build(repo, sites["/briefs/"], `${origin}/briefs/`);
  // Built from a copy: a build keeps its media cache beside the site.
  const hostileSite = path.join(work, "search-hostile");
  fs.cpSync(path.join(repo, "tests/fixtures/search-hostile"), hostileSite, { recursive: true });
  build(hostileSite, sites["/hostile/"], `${origin}/hostile/`);
  await example(browser, origin);
  await newBuild(browser, origin);
  await catchingUp(browser, origin);
  await agreement(browser, origin);
  await hostile(browser, origin);
  console.log(`search in the browser: ${checks} checks passed`);
} catch (error) {
  console.error(error.message);
  failed = true;
} finally {
  await browser.close();
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
