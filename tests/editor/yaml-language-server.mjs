// The editors' view of dossier's JSON Schemas (`dossier schema`): the real
// Red Hat yaml-language-server, the engine of VS Code's YAML extension, driven
// over stdio (LSP framing by hand) against the committed schemas/ and the
// example's dossier.yaml. It must load every schema without complaint, find
// nothing wrong in the real files, catch each planted mistake with a message
// in the writer's words, complete keys and show descriptions on hover.
//
// Run (as .ci/run does):
//   YLS_DIR=$(mktemp -d)
//   npm install --prefix "$YLS_DIR" yaml-language-server@1.25.0   # 2.x needs Node 22
//   YLS_DIR="$YLS_DIR" node tests/editor/yaml-language-server.mjs
// Exit status 0 when every expectation is met.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = fs.mkdtempSync(path.join(os.tmpdir(), 'dossier-yls-'));
const SERVER = path.join(process.env.YLS_DIR || '', 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
if (!process.env.YLS_DIR || !fs.existsSync(SERVER)) {
  console.error('set YLS_DIR to a folder where yaml-language-server is installed (npm install --prefix "$YLS_DIR" yaml-language-server@1.25.0)');
  process.exit(2);
}
const QUIET_MS = 2500; // how long diagnostics must stay quiet before we take them

// ---------------------------------------------------------------- site copy
fs.mkdirSync(path.join(SITE, 'content', 'briefs'), { recursive: true });
fs.cpSync(path.join(MAIN, 'schemas'), path.join(SITE, 'schemas'), { recursive: true });
const realDossier = fs.readFileSync(path.join(MAIN, 'dossier.yaml'), 'utf8');
fs.writeFileSync(path.join(SITE, 'dossier.yaml'), realDossier);

const BAD_BRIEF = [
  '# yaml-language-server: $schema=../../schemas/brief.schema.json',
  'title: "  "',
  'date: 2024-13-01',
  'tags: cloud, defense',
  'tagz: [x]',
  'sources:',
  '  - https://www.cnbc.com/',
  '',
].join('\n');
const GOOD_BRIEF = [
  '# yaml-language-server: $schema=../../schemas/brief.schema.json',
  'title: A',
  'date: 2020-08-18',
  'tags: [cloud]',
  'sources: [{name: CNBC, url: "https://www.cnbc.com/"}]',
  '',
].join('\n');
fs.writeFileSync(path.join(SITE, 'content', 'briefs', 'x.yaml'), BAD_BRIEF);
fs.writeFileSync(path.join(SITE, 'content', 'briefs', 'ok.yaml'), GOOD_BRIEF);

const uri = (p) => pathToFileURL(path.join(SITE, p)).href;

// ------------------------------------------------------- independent regex check
// yaml-language-server compiles `pattern` with the `u` flag, falls back to no
// flag, and if both fail it reports 'Invalid pattern' only when a value is
// checked. Compile every pattern here too, so nothing is missed silently.
const schemaProblems = [];
function walkPatterns(node, where, file) {
  if (Array.isArray(node)) return node.forEach((n, i) => walkPatterns(n, `${where}/${i}`, file));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'pattern' && typeof v === 'string') || k === 'patternProperties') {
      const pats = k === 'pattern' ? [v] : Object.keys(v);
      for (const p of pats) {
        for (const flags of ['u', '']) {
          try { new RegExp(p, flags); } catch (e) {
            schemaProblems.push(`${file} ${where}/${k}: /${p}/${flags} does not compile: ${e.message}`);
          }
        }
      }
    }
    if (k === 'format' && typeof v === 'string') {
      schemaProblems.push(`${file} ${where}: uses format "${v}" (yaml-language-server checks only a few formats)`);
    }
    walkPatterns(v, `${where}/${k}`, file);
  }
}
for (const f of fs.readdirSync(path.join(SITE, 'schemas')).filter((f) => f.endsWith('.json')).sort()) {
  walkPatterns(JSON.parse(fs.readFileSync(path.join(SITE, 'schemas', f), 'utf8')), '#', f);
}

// ---------------------------------------------------------------- LSP plumbing
const SETTINGS = {
  yaml: {
    validate: true, completion: true, hover: true, format: { enable: false },
    schemaStore: { enable: false }, schemas: {},
  },
  http: { proxy: '', proxyStrictSSL: true },
  '[yaml]': {},
  editor: { tabSize: 2 },
  files: {},
};

const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
const serverLog = []; // window/logMessage, window/showMessage, stderr
child.stderr.on('data', (d) => serverLog.push(`[stderr] ${d.toString().trim()}`));
child.on('exit', (code, sig) => { if (!finished) { console.error(`server exited early: ${code} ${sig}`); process.exit(2); } });
let finished = false;

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  child.stdin.write(body);
}
let nextId = 1;
const pending = new Map();
function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`timeout: ${method}`)), 20000);
    pending.set(id, { res: (v) => { clearTimeout(t); res(v); }, rej });
  });
}
const notify = (method, params) => send({ method, params });

const diags = new Map(); // uri -> {version, diagnostics, at}
const diagWaiters = [];
function onMessage(m) {
  if (m.id !== undefined && m.method === undefined) { // response
    const p = pending.get(m.id); pending.delete(m.id);
    if (!p) return;
    return m.error ? p.rej(new Error(JSON.stringify(m.error))) : p.res(m.result);
  }
  if (m.id !== undefined) { // server -> client request
    let result = null;
    if (m.method === 'workspace/configuration') {
      result = m.params.items.map((it) => (it.section ? SETTINGS[it.section] ?? null : SETTINGS));
    } else if (m.method === 'workspace/workspaceFolders') {
      result = [{ uri: pathToFileURL(SITE).href, name: 'site' }];
    }
    return send({ id: m.id, result });
  }
  switch (m.method) {
    case 'textDocument/publishDiagnostics':
      diags.set(m.params.uri, { version: m.params.version, diagnostics: m.params.diagnostics, at: Date.now() });
      diagWaiters.forEach((w) => w());
      break;
    case 'window/logMessage':
    case 'window/showMessage':
      serverLog.push(`[${m.method} type=${m.params.type}] ${m.params.message}`);
      break;
    default:
      break; // telemetry, $/progress, custom yaml/* notifications
  }
}
let buf = Buffer.alloc(0);
child.stdout.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const headerEnd = buf.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const header = buf.subarray(0, headerEnd).toString('ascii');
    const len = Number(/Content-Length:\s*(\d+)/i.exec(header)[1]);
    if (buf.length < headerEnd + 4 + len) return;
    const body = buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
    buf = buf.subarray(headerEnd + 4 + len);
    onMessage(JSON.parse(body));
  }
});

// Wait until diagnostics for `u` (optionally for `version`) have arrived and
// then stayed unchanged for QUIET_MS.
async function diagnosticsFor(u, version, timeout = 15000) {
  const start = Date.now();
  for (;;) {
    const d = diags.get(u);
    if (d && (version === undefined || d.version === undefined || d.version === version)
        && Date.now() - d.at >= QUIET_MS) return d.diagnostics;
    if (Date.now() - start > timeout) return d ? d.diagnostics : null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const docs = new Map(); // uri -> version
function open(u, text) {
  docs.set(u, 1); diags.delete(u);
  notify('textDocument/didOpen', { textDocument: { uri: u, languageId: 'yaml', version: 1, text } });
  return 1;
}
function change(u, text) {
  const v = docs.get(u) + 1; docs.set(u, v); diags.delete(u);
  notify('textDocument/didChange', { textDocument: { uri: u, version: v }, contentChanges: [{ text }] });
  return v;
}

const fmtDiag = (d) => `  line ${d.range.start.line + 1}:${d.range.start.character + 1} [${['', 'error', 'warning', 'info', 'hint'][d.severity] || d.severity}] ${d.message.replace(/\s+/g, ' ').trim()}`;
const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); console.log(`  => ${ok ? 'OK' : 'FAIL'}: ${what}`); };
const hasDiagAt = (ds, line1, re) => ds.some((d) => d.range.start.line + 1 === line1 && (!re || re.test(d.message)));

// ---------------------------------------------------------------- the checks
const t0 = Date.now();
const init = await request('initialize', {
  processId: process.pid,
  clientInfo: { name: 'dossier-check', version: '1' },
  rootUri: pathToFileURL(SITE).href,
  rootPath: SITE,
  workspaceFolders: [{ uri: pathToFileURL(SITE).href, name: 'site' }],
  capabilities: {
    workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } },
    textDocument: {
      synchronization: { dynamicRegistration: false },
      completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      publishDiagnostics: { versionSupport: true, relatedInformation: true },
    },
  },
  initializationOptions: {},
});
const pkg = JSON.parse(fs.readFileSync(path.join(process.env.YLS_DIR, 'node_modules', 'yaml-language-server', 'package.json'), 'utf8'));
console.log(`yaml-language-server ${pkg.version} (serverInfo: ${JSON.stringify(init.serverInfo ?? null)}), node ${process.version}`);
notify('initialized', {});
notify('workspace/didChangeConfiguration', { settings: SETTINGS });
await new Promise((r) => setTimeout(r, 500));

// 1. the real dossier.yaml
const DOSSIER = uri('dossier.yaml');
console.log('\n1. real dossier.yaml');
let v = open(DOSSIER, realDossier);
let ds = await diagnosticsFor(DOSSIER, v);
console.log(ds && ds.length ? ds.map(fmtDiag).join('\n') : `  (${ds ? 'no' : 'NO publishDiagnostics'} diagnostics)`);
expect(ds !== null && ds.length === 0, 'real dossier.yaml has no diagnostics');

// 2. mistakes
console.log('\n2. dossier.yaml with mistakes');
const mistakes = ['feed_limt: 10', 'briefs_per_page: 0', 'related_limit: four', 'raw_html: maybe'];
const badDossier = realDossier.replace(/^briefs_per_page:.*\n/m, '').replace(/\n?$/, '\n') + mistakes.join('\n') + '\n';
const badLines = badDossier.split('\n');
const lineOf = (s) => badLines.indexOf(s) + 1;
v = change(DOSSIER, badDossier);
ds = await diagnosticsFor(DOSSIER, v);
console.log((ds || []).map(fmtDiag).join('\n') || '  (none)');
for (const m of mistakes) expect(hasDiagAt(ds || [], lineOf(m)), `a diagnostic on line ${lineOf(m)} (${m})`);
expect((ds || []).length === mistakes.length, `exactly ${mistakes.length} diagnostics (got ${(ds || []).length})`);

// 3. completion on an empty new line
console.log('\n3. completion at the start of an empty new line');
const withBlank = realDossier.replace(/\n?$/, '\n') + '\n';
v = change(DOSSIER, withBlank);
const blankLine = withBlank.split('\n').length - 2; // 0-based: the empty line before the final newline
await diagnosticsFor(DOSSIER, v);
let comp = await request('textDocument/completion', { textDocument: { uri: DOSSIER }, position: { line: blankLine, character: 0 } });
let labels = (Array.isArray(comp) ? comp : comp?.items || []).map((i) => i.label);
console.log(`  real file (line ${blankLine + 1}): ${labels.join(', ')}`);
expect(['feed_limit', 'search', 'social_cards'].every((l) => labels.includes(l)), 'offers feed_limit, search, social_cards');
expect(!labels.includes('briefs_per_page'), 'does not offer briefs_per_page again (already set)');
// …and in a file holding only the modeline, so every key is offered
const EMPTY = uri('empty-dossier.yaml');
const emptyText = '# yaml-language-server: $schema=schemas/dossier.schema.json\n\n';
open(EMPTY, emptyText);
await diagnosticsFor(EMPTY, 1);
comp = await request('textDocument/completion', { textDocument: { uri: EMPTY }, position: { line: 1, character: 0 } });
const items = Array.isArray(comp) ? comp : comp?.items || [];
labels = items.map((i) => i.label);
console.log(`  file with only the modeline: ${labels.join(', ')}`);
expect(['briefs_per_page', 'feed_limit', 'search', 'social_cards'].every((l) => labels.includes(l)), 'offers briefs_per_page, feed_limit, search, social_cards');
const bpp = items.find((i) => i.label === 'briefs_per_page');
if (bpp) console.log(`  briefs_per_page item: insertText=${JSON.stringify(bpp.insertText ?? bpp.textEdit?.newText)} documentation=${JSON.stringify(bpp.documentation?.value ?? bpp.documentation)}`);

// 4. hover
console.log('\n4. hover on briefs_per_page');
const hoverLine = withBlank.split('\n').findIndex((l) => l.startsWith('briefs_per_page:'));
const hover = await request('textDocument/hover', { textDocument: { uri: DOSSIER }, position: { line: hoverLine, character: 3 } });
const hoverText = hover ? (typeof hover.contents === 'string' ? hover.contents : hover.contents.value ?? JSON.stringify(hover.contents)) : '(null)';
console.log(hoverText.split('\n').map((l) => `  | ${l}`).join('\n'));
// the hover is Markdown, so `_` arrives escaped as `\_`
expect(hoverText.replace(/\\([\\`*_{}\[\]()#+\-.!])/g, '$1').includes('a whole number of 1 or more; e.g. briefs_per_page: 20'), 'hover shows the description');

// 5. brief front matter
console.log('\n5a. content/briefs/x.yaml (five mistakes)');
const X = uri('content/briefs/x.yaml');
open(X, BAD_BRIEF);
ds = await diagnosticsFor(X, 1);
console.log((ds || []).map(fmtDiag).join('\n') || '  (none)');
const xl = BAD_BRIEF.split('\n');
const xLine = (prefix) => xl.findIndex((l) => l.startsWith(prefix)) + 1;
expect(hasDiagAt(ds || [], xLine('title:')), 'title "  " caught');
expect(hasDiagAt(ds || [], xLine('date:')), 'date 2024-13-01 caught');
expect(hasDiagAt(ds || [], xLine('tags:')), 'tags: cloud, defense (not a list) caught');
expect(hasDiagAt(ds || [], xLine('tagz:')), 'unknown key tagz caught');
expect(hasDiagAt(ds || [], xLine('  - https')), 'source given as a bare URL caught');
// In the writer's words (patternErrorMessage, object titles), not a regex.
const said = (ds || []).map((d) => d.message).join('\n');
expect(said.includes('expected a date such as 2020-08-18'), 'the bad date is explained, not shown as a regex');
expect(said.includes('a source with a name and a url'), 'the bare URL is named as a source');

console.log('\n5b. content/briefs/ok.yaml (valid)');
const OK = uri('content/briefs/ok.yaml');
open(OK, GOOD_BRIEF);
ds = await diagnosticsFor(OK, 1);
console.log(ds && ds.length ? ds.map(fmtDiag).join('\n') : `  (${ds ? 'no' : 'NO publishDiagnostics'} diagnostics)`);
expect(ds !== null && ds.length === 0, 'valid brief has no diagnostics');

// 6. every other schema loads cleanly (an empty document shows schema load / meta-schema errors)
console.log('\n6. each schema loads without a schema error');
for (const f of fs.readdirSync(path.join(SITE, 'schemas')).filter((f) => f.endsWith('.schema.json')).sort()) {
  const U = uri(`probe-${f.replace('.schema.json', '')}.yaml`);
  open(U, `# yaml-language-server: $schema=schemas/${f}\n__probe__: 1\n`);
  ds = await diagnosticsFor(U, 1);
  const bad = (ds || []).filter((d) => !/__probe__/.test(d.message) && !/not allowed|Missing property/i.test(d.message));
  console.log(`  ${f}: ${(ds || []).map((d) => d.message.replace(/\s+/g, ' ')).join(' | ') || '(none)'}`);
  expect(ds !== null && bad.length === 0, `${f}: no schema-level error`);
}

// ---------------------------------------------------------------- shutdown
await request('shutdown', null);
notify('exit', null);
finished = true;

console.log('\nserver log (logMessage/showMessage/stderr):');
console.log(serverLog.length ? serverLog.map((l) => `  ${l.replace(/\n/g, '\n    ')}`).join('\n') : '  (empty)');
const suspicious = serverLog.filter((l) => /regex|regexp|pattern|invalid|schema|error/i.test(l));
expect(suspicious.length === 0, 'server logged nothing about schemas, patterns or errors');
console.log('\nindependent pattern/format scan of schemas/*.json:');
console.log(schemaProblems.length ? schemaProblems.map((p) => `  ${p}`).join('\n') : '  every pattern compiles with and without the u flag; no format keywords');
expect(schemaProblems.length === 0, 'no pattern compile problems');

console.log(`\n${failures.length ? `FAILED ${failures.length}: ${failures.join('; ')}` : 'ALL CHECKS PASSED'} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
setTimeout(() => process.exit(failures.length ? 1 : 0), 200);
