#!/usr/bin/env python3
"""Measures `dossier serve`'s save → reload latency (issues 6 and 18).

For each corpus size: generates the benchmark corpus (once, cached), starts
`dossier serve` on a free port, subscribes to its server-sent events like a
browser does, then makes edits the way editors do (write a temporary file,
rename it over the original) and times how long until the `reload` event
arrives. Also reports the build time the server printed, the search index's
update after it and when the index was up to date (a quick build leaves the
index to a step after the reload, printed as its own line; a full rebuild
writes it itself, "in the build"), and the server's resident memory.

Kinds of edit (--edits, comma-separated, or `all`; each kind gets --runs saves):

  body       append a line to one brief's body
  title      change that brief's `title:` (a new title each save)
  date       change its `date:` to another valid date each save (reorders listings)
  tags       alternately add and remove a tag another brief has (a real
             change of the tag's membership)
  companies  alternately add and remove a company of content/companies
  new        write a new brief (the front matter and body of an existing
             brief, a new title and file name), atomically
  delete     remove a brief that nothing else references (not in any other
             file's `related:` or `[[…]]`), a different one each save

Every save must build: a `build failed` line from the server stops the run.
Between kinds, the files a kind touched are put back and the server's rebuild
is waited for, so each kind starts from the corpus as generated. Every file
the script changed or added is restored or removed at the end, also on an
error or Ctrl-C (original contents and modification times).

    scripts/serve_latency.py [--sizes 1000,10000] [--runs 5] [--edits body|all|title,new,...]
                             [--binary target/release/dossier] [--pause 1] [--index-wait 2]
                             [--work /tmp/dossier-serve-latency] [--gen ../shared/bench/gen_corpus.py]

Build the binary first (`cargo build --release`). Nothing heavy should run
meanwhile: these are wall times.
"""

import argparse
import datetime
import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KINDS = ["body", "title", "date", "tags", "companies", "new", "delete"]
BUILT = re.compile(r"changed: (?:updated [\d,]+ pages? in (\d+) ms|no page changed \((\d+) ms\))")
WIKILINK = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")
INDEXED = re.compile(r"search index updated: [\d,]+ files? in (\d+) ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes in briefs, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="saves per kind of edit and size")
    parser.add_argument(
        "--edits",
        "--edit",
        dest="edits",
        default="body",
        help=f"kinds of edit, comma-separated, or all ({','.join(KINDS)}); default: body",
    )
    parser.add_argument("--binary", default=str(REPO / "target/release/dossier"))
    parser.add_argument("--work", default="/tmp/dossier-serve-latency", help="where corpora are generated")
    parser.add_argument("--gen", default=str(REPO.parent / "shared/bench/gen_corpus.py"))
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for one build")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds of quiet before each save")
    parser.add_argument(
        "--index-wait",
        type=float,
        default=2.0,
        help="seconds to wait after a build for the search index to follow (at least twice the build); "
        "a full rebuild writes the index itself and prints no index line",
    )
    args = parser.parse_args()

    kinds = KINDS if args.edits.strip() == "all" else [k.strip() for k in args.edits.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        parser.error(f"--edits: unknown kind {', '.join(unknown) or '(none)'}; choose from {', '.join(KINDS)} or all")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    # A plain `kill` should restore the corpus too.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        corpus = ensure_corpus(Path(args.work) / f"dossier-{size}", size, Path(args.gen))
        results, rss = measure(Path(args.binary), corpus, kinds, args.runs, args.timeout, args.pause, args.index_wait)
        rows += [(size, kind, r, rss) for kind, r in results.items()]

    print()
    print(
        "| briefs | edit | saves | save → reload event, median (min–max) | server build time, median "
        "| search index after it, median | save → index up to date, median | server RSS |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size, kind, r, rss in rows:
        lat = r["latency_ms"]
        print(
            f"| {size:,} | {kind} | {len(lat)} | {statistics.median(lat):,.0f} ms ({min(lat):,.0f}–{max(lat):,.0f}) "
            f"| {statistics.median(r['build_ms']):,.0f} ms | {index_cell(r['index_ms'])} "
            f"| {statistics.median(r['ready_ms']):,.0f} ms | {rss:,.0f} MiB |"
        )
    return 0


def index_cell(values) -> str:
    """The index's own time after the build, median; `in the build` when the build wrote it (no index line)."""
    got = [v for v in values if v is not None]
    if not got:
        return "in the build"
    cell = f"{statistics.median(got):,.0f} ms"
    return cell if len(got) == len(values) else f"{cell} ({len(got)} of {len(values)}; the others in the build)"


def ensure_corpus(path: Path, size: int, gen: Path) -> Path:
    if not (path / "content").is_dir():
        print(f"generating {size:,} briefs into {path}", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(gen), "--briefs", str(size), "--seed", "1", "--format", "dossier", "--force", str(path)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


class Server:
    """`dossier serve --port 0` with its stderr collected line by line, each with the time it arrived."""

    def __init__(self, binary: Path, root: Path, timeout: float):
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--port", "0", "--root", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: "queue.Queue[tuple[float, str]]" = queue.Queue()
        self.seen: "list[str]" = []  # lines read by wait_for since the last mark(), for error messages
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for(lambda l: l.startswith("Serving http://"), timeout)[1]
        url = line.split()[1]
        hostport, _, base = url[len("http://"):].partition("/")
        host, _, port = hostport.rpartition(":")
        self.host, self.port, self.base = host, int(port), "/" + base

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put((time.perf_counter(), line.rstrip("\n")))

    def mark(self):
        self.seen = []

    def wait_for(self, predicate, timeout: float):
        got = self.try_wait_for(predicate, timeout)
        if got is None:
            tail = "".join(f"\n  {l}" for l in self.seen[-20:])
            raise SystemExit(f"dossier serve: nothing matching within {timeout:.0f} s{tail}")
        return got

    def try_wait_for(self, predicate, timeout: float):
        """(arrival time, line) of the next line matching, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise SystemExit(f"dossier serve exited ({self.proc.returncode})")
                return None
            self.seen.append(line)
            if predicate(line):
                return at, line

    def drain(self) -> "list[str]":
        out = []
        while True:
            try:
                out.append(self.lines.get_nowait()[1])
            except queue.Empty:
                return out

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Events:
    """The server-sent events stream, read line by line as a browser would, each event with its arrival time."""

    def __init__(self, server: Server):
        self.sock = socket.create_connection((server.host, server.port))
        request = f"GET {server.base}__dossier/events HTTP/1.1\r\nHost: {server.host}\r\nAccept: text/event-stream\r\n\r\n"
        self.sock.sendall(request.encode())
        self.file = self.sock.makefile("rb")
        self.events: "queue.Queue[tuple[float, str]]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("event: hello", 30)

    def _read(self):
        try:
            for line in self.file:
                text = line.decode(errors="replace").strip()
                if text.startswith("event:"):
                    self.events.put((time.perf_counter(), text))
        except OSError:
            pass
        self.events.put((time.perf_counter(), ""))  # closed

    def wait_for(self, wanted: str, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, text = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise SystemExit(f"no '{wanted}' from the events stream within {timeout:.0f} s")
            if not text:
                raise SystemExit("the events stream closed")
            if text == wanted:
                return at

    def drain(self) -> "list[str]":
        out = []
        while True:
            try:
                out.append(self.events.get_nowait()[1])
            except queue.Empty:
                return out


def save_atomically(path: Path, text: str):
    temp = path.with_name("." + path.name + ".latency-tmp")
    temp.write_text(text)
    os.replace(temp, path)


class Changes:
    """Every file the script touches, with what it held before (None: it did not exist), to put back."""

    def __init__(self):
        self.before: "dict[Path, tuple[str, int, int] | None]" = {}

    def remember(self, path: Path):
        if path not in self.before:
            if path.exists():
                st = path.stat()
                self.before[path] = (path.read_text(), st.st_atime_ns, st.st_mtime_ns)
            else:
                self.before[path] = None

    def write(self, path: Path, text: str):
        self.remember(path)
        save_atomically(path, text)

    def delete(self, path: Path):
        self.remember(path)
        path.unlink()

    def restore(self) -> int:
        """Puts every remembered file back; returns how many needed it."""
        changed = 0
        for path, before in self.before.items():
            if before is None:
                if path.exists():
                    path.unlink()
                    changed += 1
                continue
            text, atime, mtime = before
            if not path.exists() or path.read_text() != text:
                save_atomically(path, text)
                changed += 1
            os.utime(path, ns=(atime, mtime))
        self.before = {}
        return changed


# Front matter, as gen_corpus.py writes it (SPEC §2): `key: value` lines and
# block lists (`key:` then `  - "item"` lines), or `key: []`.


def front_matter(text: str):
    """(front matter lines, the rest of the text from the closing `---`)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ValueError("no front matter")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return lines[1:end], "\n".join(lines[end:])


def join_front(fm, rest: str) -> str:
    return "\n".join(["---", *fm]) + "\n" + rest


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scalar(fm, key: str):
    """(line index, raw value) of a top-level `key: value`, or None."""
    for i, line in enumerate(fm):
        if line.startswith(key + ":"):
            return i, line[len(key) + 1:].strip()
    return None


def get_list(fm, key: str):
    """(first line, end line, items) of a top-level list, block or flow; None if absent."""
    found = scalar(fm, key)
    if found is None:
        return None
    i, value = found
    if value.startswith("["):
        inner = value.strip("[]").strip()
        return i, i + 1, [unquote(x) for x in inner.split(",")] if inner else []
    if value:
        return i, i + 1, [unquote(value)]
    j, items = i + 1, []
    while j < len(fm) and fm[j].startswith((" ", "\t", "-")) and fm[j].strip().startswith("- "):
        items.append(unquote(fm[j].strip()[2:]))
        j += 1
    return i, j, items


def set_list(text: str, key: str, items) -> str:
    fm, rest = front_matter(text)
    start, end, _ = get_list(fm, key)
    block = [f"{key}: []"] if not items else [f"{key}:"] + [f"  - {quote(x)}" for x in items]
    return join_front(fm[:start] + block + fm[end:], rest)


def set_scalar(text: str, key: str, value: str) -> str:
    fm, rest = front_matter(text)
    i, _ = scalar(fm, key)
    fm[i] = f"{key}: {value}"
    return join_front(fm, rest)


def slug_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Plan:
    """What each kind of edit changes in one corpus: a target brief, a tag and a company to add, briefs to delete."""

    def __init__(self, corpus: Path, kinds, runs: int):
        self.briefs_dir = corpus / "content/briefs"
        briefs = sorted(self.briefs_dir.rglob("*.md"))
        # The brief in the middle, or the next one with tags and companies to edit.
        order = briefs[len(briefs) // 2:] + briefs[: len(briefs) // 2]
        self.target = next(
            (p for p in order if self._lists(p.read_text(), "tags") and self._lists(p.read_text(), "companies")),
            order[0],
        )
        self.original = self.target.read_text()
        fm, _ = front_matter(self.original)
        self.title = scalar(fm, "title")[1]
        self.date = scalar(fm, "date")[1]
        self.tags = (get_list(fm, "tags") or (0, 0, []))[2]
        self.companies = (get_list(fm, "companies") or (0, 0, []))[2]
        self.add_tag = self.add_company = None
        self.deletable = []
        if "tags" in kinds:
            have = {slug_key(t) for t in self.tags}
            counts = Counter()
            for p in order[1:400]:
                got = get_list(front_matter(p.read_text())[0], "tags")
                counts.update(t for t in (got[2] if got else []) if slug_key(t) not in have)
            if not counts:
                raise SystemExit("no tag of another brief to add")
            self.add_tag = counts.most_common(1)[0][0]  # a well-populated tag page
        if "companies" in kinds:
            have = {slug_key(c) for c in self.companies}
            names = sorted(p.stem for p in (corpus / "content/companies").rglob("*.md") if slug_key(p.stem) not in have)
            if not names:
                raise SystemExit("no company in content/companies to add")
            self.add_company = names[len(names) // 2]
        if "delete" in kinds:
            self.deletable = self._unreferenced(corpus, briefs, runs)

    @staticmethod
    def _lists(text: str, key: str) -> bool:
        got = get_list(front_matter(text)[0], key)
        return bool(got and got[2])

    def _unreferenced(self, corpus: Path, briefs, count: int):
        """Briefs no other file references (`related:`, `[[slug]]`, `[[brief:slug]]`), from the middle on."""
        referenced = set()
        for p in (corpus / "content").rglob("*.md"):
            text = p.read_text()
            got = get_list(front_matter(text)[0], "related")
            for name in (got[2] if got else []):
                referenced.add(slug_key(name))
            for link in WIKILINK.findall(text):
                referenced.add(slug_key(re.sub(r"^brief:", "", link.strip(), flags=re.IGNORECASE)))
        found = []
        for p in briefs[len(briefs) // 2 + 1:] + briefs[: len(briefs) // 2]:
            if p == self.target:
                continue
            explicit = scalar(front_matter(p.read_text())[0], "slug")
            slug = unquote(explicit[1]) if explicit else re.sub(r"^\d{4}-\d{2}-\d{2}-", "", p.stem)
            if slug_key(slug) in referenced:
                continue
            found.append(p)
            if len(found) == count:
                return found
        raise SystemExit(f"only {len(found)} briefs that nothing references; --runs {count} needs {count}")

    def apply(self, kind: str, run: int, changes: Changes) -> str:
        """Makes save number `run` of `kind`; returns what it did, for the log."""
        if kind == "body":
            changes.write(self.target, self.original.rstrip("\n") + f"\n\nLatency probe {run}.\n")
            return "body line appended"
        if kind == "title":
            suffix = f" (revised {run + 1})"
            raw = self.title
            value = raw[:-1] + suffix + '"' if raw.startswith('"') and raw.endswith('"') else quote(unquote(raw) + suffix)
            changes.write(self.target, set_scalar(self.original, "title", value))
            return f"title: {value}"
        if kind == "date":
            day = datetime.date.fromisoformat(self.date.strip("\"'")[:10])
            new = day - datetime.timedelta(days=97 * (run + 1))
            changes.write(self.target, set_scalar(self.original, "date", new.isoformat() + self.date.strip("\"'")[10:]))
            return f"date: {new.isoformat()} (was {day.isoformat()})"
        if kind in ("tags", "companies"):
            items = self.tags if kind == "tags" else self.companies
            extra = self.add_tag if kind == "tags" else self.add_company
            if run % 2 == 0:
                changes.write(self.target, set_list(self.original, kind, items + [extra]))
                return f"{kind}: added {extra}"
            changes.write(self.target, self.original)  # the lists as generated: the extra one removed
            return f"{kind}: removed {extra}"
        if kind == "new":
            n = run + 1
            while (path := self.briefs_dir / f"latency-probe-new-brief-{n}.md").exists():
                n += 100
            raw = self.title
            title = f"Latency probe brief {n}: " + unquote(raw)
            text = set_scalar(self.original, "title", quote(title))
            fm, _ = front_matter(text)
            if scalar(fm, "slug"):
                text = set_scalar(text, "slug", quote(path.stem))
            changes.write(path, text)
            return f"new {path.name}"
        if kind == "delete":
            path = self.deletable[run]
            changes.delete(path)
            return f"deleted {path.name}"
        raise ValueError(kind)


def measure(binary: Path, corpus: Path, kinds, runs: int, timeout: float, pause: float, index_wait: float):
    plan = Plan(corpus, kinds, runs)
    print(f"{corpus.name}: serving; edits go to {plan.target.relative_to(corpus)}", file=sys.stderr)
    changes = Changes()
    server = None
    results = {}
    try:
        server = Server(binary, corpus, timeout)
        events = Events(server)
        for kind in kinds:
            print(f"  {kind}:", file=sys.stderr)
            r = {"latency_ms": [], "build_ms": [], "index_ms": [], "ready_ms": []}
            for run in range(runs):
                time.sleep(pause)
                stray = [l for l in server.drain() if " changed: " in l or "Built " in l]
                stray_events = [e for e in events.drain() if e == "event: reload"]
                if stray or stray_events:
                    print(f"    warning: a build or reload between saves: {stray or stray_events}", file=sys.stderr)
                server.mark()
                started = time.perf_counter()
                what = plan.apply(kind, run, changes)
                _, line = server.wait_for(lambda l: " changed: " in l, timeout)
                match = BUILT.search(line)
                if not match:
                    tail = "".join(f"\n  {l}" for l in server.seen[-20:])
                    raise SystemExit(f"the build failed after '{what}': {line}{tail}")
                reloaded = events.wait_for("event: reload", 30)
                r["latency_ms"].append((reloaded - started) * 1000)
                r["build_ms"].append(int(match.group(1) or match.group(2)))
                # With search on, the index follows the reload (issue 17) when
                # the build was a quick one; a full rebuild writes it itself.
                wait = max(index_wait, 2 * r["build_ms"][-1] / 1000)
                got = server.try_wait_for(lambda l: "search index updated" in l, wait)
                match = INDEXED.search(got[1]) if got else None
                r["index_ms"].append(int(match.group(1)) if match else None)
                r["ready_ms"].append((got[0] - started) * 1000 if match else r["latency_ms"][-1])
                print(
                    f"    save {run + 1} ({what}): reload after {r['latency_ms'][-1]:,.0f} ms (build {r['build_ms'][-1]:,} ms, "
                    + (
                        f"then index {r['index_ms'][-1]:,} ms, ready {r['ready_ms'][-1]:,.0f} ms after the save)"
                        if match
                        else f"index in the build: no index line within {wait:.1f} s)"
                    ),
                    file=sys.stderr,
                )
            results[kind] = r
            put_back(server, events, changes, timeout)
        rss = server.rss_mib()
    finally:
        try:
            if server is not None and server.proc.poll() is None:
                put_back(server, None, changes, 60)
        except BaseException as e:  # the corpus is still restored below
            print(f"warning: while restoring: {e!r}", file=sys.stderr)
        finally:
            changes.restore()
            if server is not None:
                server.stop()
    return results, rss


def put_back(server: Server, events, changes: Changes, timeout: float):
    """Restores the files changed so far and waits until the server has rebuilt from them."""
    server.mark()
    if changes.restore() == 0:
        return
    got = server.try_wait_for(lambda l: " changed: " in l, timeout)
    # Then quiet: the index, or any further build the restore caused.
    while got is not None:
        got = server.try_wait_for(lambda l: True, 2.0)
    failed = [l for l in server.seen if "build failed" in l]
    if failed:
        print(f"  warning: the build after restoring failed: {failed[-1]}", file=sys.stderr)
    if events is not None:
        events.drain()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the files changed were put back", file=sys.stderr)
        sys.exit(130)
