// dossier's search page. The build writes a static index under /search/
// (docs/search.md); this script fetches only the parts a query needs (the
// manifest, a lexicon shard per word, the posting shards of their stems,
// the documents shown) and lists the results as the theme's brief cards.
// Every text from the index is inserted as text, never parsed as HTML.
// A theme may replace this file: the index format is the contract.
(() => {
  "use strict";
  const root = document.getElementById("search");
  if (!root) return;
  const form = root.querySelector("form");
  const input = form.elements.q;
  const status = root.querySelector(".search-status");
  const results = root.querySelector(".search-results");
  const more = root.querySelector(".search-more");
  const KINDS = ["company", "contract", "author", "tag", "year"];
  const selects = KINDS.map((kind) => form.elements[kind]).filter(Boolean);
  const PAGE = 20; // results shown at first and per "More results"
  const PREFIX_STEMS = 8; // stems the word being typed stands for, at most
  const DEBOUNCE_MS = 150;
  // While `dossier serve` brings the index up to date with an edit, the
  // search runs again this often, this many times at most.
  const CATCH_UP_MS = 400;
  const CATCH_UP_TRIES = 25;
  // How long a manifest is trusted before a search asks for it again: the
  // files have fixed names, so a page left open across a new build must
  // notice it before mixing the new build's files with the old ones.
  const MANIFEST_MS = 60000;
  const manifestUrl = new URL(root.dataset.index, location.href);

  // ------------------------------------------------------------ the index

  // Text as both the build and the browser fold it (docs/search.md, "Words").
  const fold = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const words = (s) => fold(s).match(/[\p{Alphabetic}\p{N}]+/gu) || [];

  // 32-bit FNV-1a over the UTF-8 bytes.
  const utf8 = new TextEncoder();
  const fnv1a = (s) => {
    let h = 0x811c9dc5;
    for (const byte of utf8.encode(s)) h = Math.imul(h ^ byte, 16777619);
    return h >>> 0;
  };

  const own = (object, key) => (Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined);

  // A file that could not be read. `missing` when the server said 404: a
  // newer build may have replaced the index our manifest names.
  class Failure extends Error {
    constructor(url, code) {
      super(`could not load ${url}${code ? ` (HTTP ${code})` : ""}`);
      this.missing = code === 404;
    }
  }

  async function getJSON(url, init, seen) {
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new Failure(url, 0);
    }
    if (!response.ok) throw new Failure(url, response.status);
    seen?.(response);
    return response.json();
  }

  // One build's index: its manifest and the files fetched from it so far.
  class Index {
    constructor(manifest) {
      if (manifest.version !== 1) throw new Error(`unknown index version ${manifest.version}`);
      this.m = manifest;
      // Every file is asked for with the build's id, so a cache never
      // mixes two builds' files (docs/search.md, "Files").
      this.version = `?v=${encodeURIComponent(manifest.id)}`;
      this.files = new Map();
    }

    // A file of this index, fetched once (a failed fetch is not kept).
    file(path) {
      let pending = this.files.get(path);
      if (!pending) {
        pending = getJSON(new URL(path + this.version, manifestUrl));
        this.files.set(path, pending);
        pending.catch(() => this.files.delete(path));
      }
      return pending;
    }

    // The stems a query word stands for: its own and, for the word being
    // typed, those of the most frequent lexicon words it begins. Every
    // word it begins shares its first two characters, hence its shard.
    async stems(word, prefix) {
      const key = Array.from(word).slice(0, 2).join("");
      const lexicon = await this.file(`l/${fnv1a(key) % this.m.lexicon_shards}.json`);
      const stems = new Set();
      const exact = own(lexicon, word);
      if (exact) stems.add(exact[0]);
      if (prefix) {
        const frequency = new Map();
        for (const [w, [stem, documents]] of Object.entries(lexicon)) {
          if (w.startsWith(word)) frequency.set(stem, documents);
        }
        const byFrequency = [...frequency].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        for (const [stem] of byFrequency.slice(0, PREFIX_STEMS)) stems.add(stem);
      }
      return [...stems];
    }

    // Document number → score for one query word: its best stem's.
    async word(word, prefix) {
      const scores = new Map();
      const stems = await this.stems(word, prefix);
      await Promise.all(
        stems.map(async (stem) => {
          const shard = await this.file(`p/${fnv1a(stem) % this.m.posting_shards}.json`);
          const postings = own(shard, stem) || [];
          for (let i = 0, doc = 0; i + 1 < postings.length; i += 2) {
            doc += postings[i];
            if (!(scores.get(doc) >= postings[i + 1])) scores.set(doc, postings[i + 1]);
          }
        })
      );
      return scores;
    }

    // The document numbers a filter keeps, ascending.
    async filter(kind, slug) {
      const deltas = await this.file(`f/${kind}/${encodeURIComponent(slug)}.json`);
      let doc = 0;
      return deltas.map((delta) => (doc += delta));
    }

    // The documents matching every word and every filter, best first;
    // with filters alone, newest first.
    async search(query) {
      const last = query.words.length - 1;
      const [perWord, kept] = await Promise.all([
        Promise.all(query.words.map((w, i) => this.word(w, query.prefix && i === last))),
        Promise.all(query.filters.map((f) => this.filter(f.kind, f.slug))),
      ]);
      const sets = kept.map((docs) => new Set(docs));
      if (!perWord.length) {
        return kept.reduce((docs, other, i) => (i ? docs.filter((d) => sets[i].has(d)) : other), []);
      }
      perWord.sort((a, b) => a.size - b.size);
      const total = new Map(perWord[0]);
      for (const [doc, sum] of total) {
        let score = sum;
        for (const scores of perWord.slice(1)) score += scores.get(doc) ?? NaN;
        if (Number.isNaN(score) || !sets.every((set) => set.has(doc))) total.delete(doc);
        else total.set(doc, score);
      }
      return [...total].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([doc]) => doc);
    }

    // Document `n`: [title, url, kicker, date, summary].
    async document(n) {
      const rows = await this.file(`d/${Math.floor(n / this.m.chunk)}.json`);
      return rows[n % this.m.chunk];
    }
  }

  // ------------------------------------------------------------- the page

  let index = null; // a promise of the current Index
  let checked = 0; // when its manifest was last asked for
  let shown = { index: null, docs: [], count: 0 }; // what the list holds
  let generation = 0; // bumped by every search: an older one stops
  let timer = 0;
  let catchingUp = 0; // searches run again while the index catches up

  // The index, its manifest asked for again when `reload` (a file was
  // missing) or when it is older than MANIFEST_MS; the files fetched so far
  // are kept while the manifest's id is the same.
  function currentIndex(reload) {
    if (index && !reload && Date.now() - checked < MANIFEST_MS) return index;
    const previous = index;
    checked = Date.now();
    let behind = false;
    const pending = getJSON(manifestUrl, { cache: "no-cache" }, (response) => {
      // `dossier serve` says so while the index catches up with an edit.
      behind = response.headers.get("x-dossier-index") === "updating";
    }).then(async (manifest) => {
      const old = previous && (await previous.catch(() => null));
      const ix = old && old.m.id === manifest.id ? old : new Index(manifest);
      if (ix !== old) fillFilters(ix);
      ix.behind = behind;
      return ix;
    });
    pending.catch(() => index === pending && (index = null));
    return (index = pending);
  }

  // The filter menus from the manifest; a kind without entries is hidden.
  function fillFilters(ix) {
    const wanted = new URLSearchParams(location.search);
    for (const select of selects) {
      const kind = select.name;
      const entries = ix.m.filters?.[kind] || [];
      const keep = select.value || wanted.get(kind) || "";
      while (select.options.length > 1) select.remove(1);
      for (const [slug, name, count] of entries) select.add(new Option(`${name} (${count})`, slug));
      select.value = keep;
      if (select.selectedIndex < 0) select.value = "";
      (select.closest("[data-filter]") || select).hidden = !entries.length;
    }
    const box = root.querySelector(".search-filters");
    if (box) box.hidden = false;
  }

  // What the form asks for: its words (each once, the one being typed
  // last), whether the last is being typed, and the filters chosen.
  function readForm() {
    const text = input.value;
    const all = words(text);
    const list = [...new Set(all)];
    const prefix = all.length > 0 && /[\p{Alphabetic}\p{N}]$/u.test(fold(text));
    if (prefix) list.push(...list.splice(list.indexOf(all[all.length - 1]), 1));
    const filters = selects
      .filter((select) => select.value)
      .map((select) => ({
        kind: select.name,
        slug: select.value,
        name: select.selectedOptions[0].text.replace(/ \(\d+\)$/, ""),
      }));
    return { text: text.trim(), words: list, prefix, filters };
  }

  function syncAddress(query) {
    const params = new URLSearchParams();
    if (query.text) params.set("q", query.text);
    for (const f of query.filters) params.set(f.kind, f.slug);
    const search = params.toString();
    const url = location.pathname + (search ? `?${search}` : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  function say(text, error = false) {
    // The same words again are not announced again.
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle("search-error", error);
  }

  function unavailable(failure) {
    say(`Search is not available right now: ${failure.message}.`, true);
  }

  function describe(query, total) {
    const count = total === 0 ? "No results" : `${total} result${total === 1 ? "" : "s"}`;
    const about = [query.text && `“${query.text}”`, query.filters.map((f) => f.name).join(", ")];
    return `${count} for ${about.filter(Boolean).join(" in ")}`;
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  // A result as the theme's river brief card (_brief_card.html), from text.
  function card([title, url, kicker, date, summary]) {
    const article = element("article", "card card-river");
    if (kicker) article.append(element("p", "kicker", String(kicker)));
    const heading = element("h2", "card-title");
    const link = element("a", null, String(title));
    // Only a page of this site: root-relative, never a scheme or a host.
    if (/^\/(?!\/)/.test(url)) link.href = url;
    heading.append(link);
    article.append(heading);
    if (summary) article.append(element("p", "card-dek", String(summary)));
    if (date) article.append(element("p", "card-meta", String(date)));
    return article;
  }

  async function cards(ix, docs) {
    const rows = await Promise.all(docs.map((n) => ix.document(n)));
    return rows.filter(Array.isArray).map(card);
  }

  // Runs the form's query and shows its first `count` results. When a file
  // is missing, reloads the manifest once and runs it again.
  async function run(count = PAGE, again = false) {
    clearTimeout(timer);
    if (!again) catchingUp = 0;
    const mine = ++generation;
    const query = readForm();
    syncAddress(query);
    if (!query.words.length && !query.filters.length) {
      results.replaceChildren();
      more.hidden = true;
      say("");
      return;
    }
    results.setAttribute("aria-busy", "true");
    try {
      for (let reload = false; ; reload = true) {
        try {
          const ix = await currentIndex(reload);
          const docs = await ix.search(query);
          const first = await cards(ix, docs.slice(0, count));
          if (mine !== generation) return;
          // Searching again while the index catches up: the list is
          // left alone (and the reader's focus in it) unless it changed.
          const same = again && shown.index === ix && shown.docs.join() === docs.join();
          shown = { index: ix, docs, count: Math.min(count, docs.length) };
          if (!same) results.replaceChildren(...first);
          more.hidden = shown.count >= docs.length;
          const retry = ix.behind && catchingUp++ < CATCH_UP_TRIES;
          say(describe(query, docs.length) + (retry ? ". The index is catching up with an edit; searching again…" : ""));
          if (retry) {
            timer = setTimeout(() => {
              checked = 0;
              run(count, true);
            }, CATCH_UP_MS);
          }
          return;
        } catch (failure) {
          if (!failure.missing || reload) throw failure;
        }
      }
    } catch (failure) {
      if (mine === generation) unavailable(failure);
    } finally {
      if (mine === generation) results.removeAttribute("aria-busy");
    }
  }

  async function showMore() {
    const mine = generation;
    const { index: ix, docs, count } = shown;
    try {
      const next = await cards(ix, docs.slice(count, count + PAGE));
      if (mine !== generation) return;
      results.append(...next);
      shown.count = Math.min(count + PAGE, docs.length);
      more.hidden = shown.count >= docs.length;
      results.children[count]?.querySelector("a").focus();
    } catch (failure) {
      // A newer build: the same search in the new index, as far as asked.
      if (failure.missing) run(count + PAGE);
      else unavailable(failure);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(), DEBOUNCE_MS);
  });
  for (const select of selects) select.addEventListener("change", () => run());
  more.addEventListener("click", showMore);

  // The address fills the form (the masthead's form sends ?q=); the filters
  // once the manifest has filled their menus.
  form.hidden = false;
  input.value = new URLSearchParams(location.search).get("q") || "";
  if (!input.value) input.focus();
  currentIndex(false).then(() => run(), unavailable);
})();
