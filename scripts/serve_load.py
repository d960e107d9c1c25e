#!/usr/bin/env python3
"""Load test for `dossier serve` while a brief is being edited (issue 5).

Starts `dossier serve` on loopback over a generated corpus, then for
--duration seconds, all at once:

  * wrk (Debian: `apt-get install wrk`) drives --connections minus --verifiers
    keep-alive connections over three pages: the edited brief, the home page
    and the page of one of the brief's companies; it gives req/s and p50/p99;
  * --verifiers connections (one of them a live-reload SSE stream, the rest
    Python clients fetching the same three pages) check every response: 200,
    Content-Length equal to the body received, the page ends in </html>, it
    shows exactly one of the two edit markers (the old or the new build,
    never both), no error overlay, and the build generation the page carries
    never goes backwards on a connection and always goes with one marker;
  * an editor rewrites the brief every --edit-ms milliseconds the way editors
    save (write a temporary file, rename it over the brief), alternating a
    marker word in its summary (shown on all three pages) and body;
  * the server's RSS (/proc/PID/status VmRSS) is sampled every second.

Afterwards the brief page must settle on the last saved marker. Prints a
summary and exits 1 if anything failed: a non-200 answer, a connection error
(wrk's socket errors included), an incomplete or mixed page, a failed
rebuild, no rebuild at all, or RSS growing (median of the last 5 samples
under load more than 25% above the first 5).

    cargo build --release
    scripts/serve_load.py [--briefs 1000] [--duration 30] [--connections 200]
                          [--verifiers 50] [--edit-ms 100] [--binary target/release/dossier]
                          [--work /tmp/dossier-serve-load] [--gen ../shared/bench/gen_corpus.py]

The corpus is generated once into --work/dossier-N (gen_corpus.py --seed 1)
and reused; the edited brief is restored afterwards. Use --briefs 10000 for
the large corpus. Timings are wall-clock: other load on the machine shows.
"""

import argparse
import http.client
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
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKERS = ("zzloadalpha", "zzloadbravo")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--briefs", type=int, default=1000)
    p.add_argument("--duration", type=int, default=30, help="seconds of load")
    p.add_argument("--connections", type=int, default=200, help="all connections, wrk's and the verifiers'")
    p.add_argument("--verifiers", type=int, default=50, help="connections whose every response is checked")
    p.add_argument("--edit-ms", type=int, default=100)
    p.add_argument("--binary", default=str(REPO / "target/release/dossier"))
    p.add_argument("--work", default="/tmp/dossier-serve-load")
    p.add_argument("--gen", default=str(REPO.parent / "shared/bench/gen_corpus.py"))
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still restore the brief

    site = Path(args.work) / f"dossier-{args.briefs}"
    if not (site / "content").is_dir():
        print(f"generating {args.briefs:,} briefs into {site}", file=sys.stderr)
        subprocess.run([sys.executable, args.gen, "--briefs", str(args.briefs), "--seed", "1",
                        "--format", "dossier", "--force", str(site)], check=True, stdout=subprocess.DEVNULL)
    brief, company = newest_brief(site)
    original = brief.read_text()
    save(brief, marked(original, MARKERS[0]))  # the first build shows marker 0
    try:
        return run(args, site, brief, company, original)
    finally:
        save(brief, original)


def newest_brief(site: Path):
    """The latest brief (first on the home page) and its first company's slug."""
    def date(path):
        return re.search(r"^date: (\S+)", path.read_text(), re.M).group(1)
    brief = max(sorted((site / "content/briefs").glob("*.md")), key=date)
    company = re.search(r'^companies:\n  - "([^"]+)"', brief.read_text(), re.M).group(1)
    return brief, company


def marked(text: str, marker: str) -> str:
    text = re.sub(r'^(summary: ".*)"$', rf'\1 Marker {marker}."', text, count=1, flags=re.M)
    return text.rstrip("\n") + f"\n\nLoad-test marker {marker}.\n"


def save(path: Path, text: str):
    temp = path.with_name(f".{path.name}.serve-load-tmp")
    temp.write_text(text)
    os.replace(temp, path)


class Server:
    """`dossier serve --port 0`; stderr goes to a log and is counted line by line."""

    def __init__(self, binary, site: Path, log: Path):
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", "--root", str(site)], text=True,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.log, self.lines = log.open("w"), queue.Queue()
        self.rebuilds, self.build_ms, self.failed, self.other = 0, [], 0, []
        threading.Thread(target=self._read, daemon=True).start()
        while True:
            line = self.lines.get(timeout=600)
            if line.startswith("Serving http://"):
                url = line.split()[1]
                break
        hostport, _, base = url[len("http://"):].partition("/")
        self.host, _, port = hostport.rpartition(":")
        self.port, self.base = int(port), "/" + base

    def _read(self):
        for line in self.proc.stderr:
            self.log.write(line)
            self.log.flush()
            line = line.rstrip("\n")
            if m := re.search(r"changed: rebuilt [\d,]+ pages(?: \([^)]*\))? in (\d+) ms", line):
                self.rebuilds += 1
                self.build_ms.append(int(m.group(1)))
            elif "build failed" in line:
                self.failed += 1
            elif not line.startswith(("Initial build", "Serving")):
                self.other.append(line)
            self.lines.put(line)

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


class Checks:
    """What the verifying clients saw; shared by their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests, self.latency_ms, self.problems = 0, [], Counter()
        self.statuses, self.markers, self.gen_markers = Counter(), Counter(), defaultdict(set)
        self.examples = []

    def problem(self, kind: str, detail: str):
        with self.lock:
            self.problems[kind] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {detail}")


def verifier(server: Server, paths, stop: threading.Event, checks: Checks):
    conn, last_gen, i = None, -1, 0
    while not stop.is_set():
        path, i = paths[i % len(paths)], i + 1
        try:
            conn = conn or http.client.HTTPConnection(server.host, server.port, timeout=30)
            started = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            elapsed = (time.perf_counter() - started) * 1000
        except (OSError, http.client.HTTPException) as e:
            kind = "incomplete body" if isinstance(e, http.client.IncompleteRead) else "connection error"
            checks.problem(kind, f"{path}: {e!r}")
            conn = conn.close() if conn else None
            continue
        with checks.lock:
            checks.requests += 1
            checks.latency_ms.append(elapsed)
            checks.statuses[resp.status] += 1
        if resp.status != 200:
            checks.problem("5xx" if resp.status >= 500 else "non-200", f"{path}: {resp.status}")
            continue
        if resp.getheader("content-length") != str(len(body)) or not body.rstrip().endswith(b"</html>"):
            checks.problem("incomplete body", f"{path}: {len(body)} bytes, length {resp.getheader('content-length')}")
            continue
        found = [m for m in MARKERS if m.encode() in body]
        gen = re.search(rb'var g="(\d+)"', body)
        if len(found) != 1:
            checks.problem("not one marker", f"{path}: markers {found}")
        if b'id="dossier-errors"' in body:
            checks.problem("error overlay", path)
        if not gen:
            checks.problem("no generation", path)
            continue
        gen = int(gen.group(1))
        if gen < last_gen:
            checks.problem("generation went back", f"{path}: {last_gen} -> {gen}")
        last_gen = gen
        with checks.lock:
            checks.markers[tuple(found)] += 1
            checks.gen_markers[gen].update(found)


def sse_listener(server: Server, counts: Counter):
    """One browser's live-reload stream: counts the reload events."""
    try:
        sock = socket.create_connection((server.host, server.port))
        sock.sendall(f"GET {server.base}__dossier/events HTTP/1.1\r\nHost: {server.host}\r\n\r\n".encode())
        for line in sock.makefile("rb"):
            if line.startswith(b"event: "):
                counts[line.strip().decode()] += 1
    except OSError as e:
        counts[f"error: {e!r}"] += 1
    counts["closed"] += 1


def editor(brief: Path, original: str, interval: float, stop: threading.Event, state: dict):
    due = time.monotonic()
    while not stop.wait(max(0.0, (due := due + interval) - time.monotonic())):
        state["edits"] += 1
        state["marker"] = MARKERS[state["edits"] % 2]
        save(brief, marked(original, state["marker"]))


def run_wrk(server: Server, paths, connections: int, duration: int, work: Path) -> dict:
    lua = work / "serve_load.lua"
    lua.write_text("local paths = {" + ", ".join(f'"{p}"' for p in paths) + "}\nlocal i = 0\n"
                   "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(lua),
           f"http://{server.host}:{server.port}{server.base}"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    (work / "wrk.out").write_text(out)

    def ms(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "max": ms(re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, re.M).group(1)),
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups())))
        if socket_errors else {},
        "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
    }


def percentile(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def run(args, site: Path, brief: Path, company: str, original: str) -> int:
    work = Path(args.work)
    server = Server(args.binary, site, work / "serve.log")
    slug = brief.stem
    paths = [f"{server.base}briefs/{slug}/", server.base, f"{server.base}companies/{company}/"]
    print(f"serving {site} at http://{server.host}:{server.port}{server.base}; editing {brief.name}", file=sys.stderr)
    stop, checks, sse, state, rss = threading.Event(), Checks(), Counter(), {"edits": 0, "marker": MARKERS[0]}, []
    sampler_stop = threading.Event()
    try:
        for path in paths:  # the three pages exist and show the brief's marker
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            conn.request("GET", path)
            resp = conn.getresponse()
            if resp.status != 200 or MARKERS[0].encode() not in resp.read():
                raise SystemExit(f"{path}: status {resp.status}, or the edited brief's marker is not on it")
        threading.Thread(target=sse_listener, args=(server, sse), daemon=True).start()
        threads = [threading.Thread(target=verifier, args=(server, paths[i % 3:] + paths[:i % 3], stop, checks))
                   for i in range(args.verifiers - 1)]
        threads.append(threading.Thread(target=editor, args=(brief, original, args.edit_ms / 1000, stop, state)))
        rss.append(server.rss_mib())
        for t in threads:
            t.start()
        started = time.monotonic()

        def sample():
            while not sampler_stop.wait(1):
                rss.append(server.rss_mib())
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        wrk = run_wrk(server, paths, args.connections - args.verifiers, args.duration, work)
        stop.set()
        for t in threads:
            t.join()
        loaded = time.monotonic() - started
        # The last save must reach the brief page once the rebuilds catch up.
        settled, deadline = False, time.monotonic() + max(30, 10 * max(server.build_ms, default=1000) / 1000)
        while not settled and time.monotonic() < deadline:
            time.sleep(0.5)
            conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            conn.request("GET", paths[0])
            settled = state["marker"].encode() in conn.getresponse().read()
        time.sleep(1)
        sampler_stop.set()
        alive, sse_closed = server.proc.poll() is None, sse["closed"]
    finally:
        stop.set()
        sampler_stop.set()
        server.proc.terminate()
        server.proc.wait(timeout=10)

    load_rss = rss[1:1 + int(loaded)]
    first, last = statistics.median(load_rss[:5]), statistics.median(load_rss[-5:])
    mixed_gens = {g: sorted(m) for g, m in checks.gen_markers.items() if len(m) > 1}
    py_rps = checks.requests / loaded
    failures = {
        "verifier problems": sum(checks.problems.values()),
        "wrk socket errors": sum(wrk["socket_errors"].values()),
        "wrk non-2xx/3xx": wrk["non_2xx"],
        "generations showing both markers": len(mixed_gens),
        "failed rebuilds": server.failed,
        "no rebuild seen": int(server.rebuilds == 0),
        "last edit not served": int(not settled),
        "server exited": int(not alive),
        "SSE stream closed": sse_closed,
        "RSS grew >25%": int(last > first * 1.25),
    }
    print(f"""
## dossier serve under load: {args.briefs:,} briefs, {loaded:.1f} s, {args.connections} connections
- wrk ({args.connections - args.verifiers} connections): {wrk['requests']:,} requests, {wrk['rps']:,.0f} req/s, \
p50 {wrk['p50']:.2f} ms, p99 {wrk['p99']:.2f} ms, max {wrk['max']:.0f} ms; \
socket errors {wrk['socket_errors']}, non-2xx/3xx {wrk['non_2xx']}
- verifying clients ({args.verifiers - 1} + 1 SSE): {checks.requests:,} requests, {py_rps:,.0f} req/s, \
p50 {percentile(checks.latency_ms, 0.5):.2f} ms, p99 {percentile(checks.latency_ms, 0.99):.2f} ms; \
statuses {dict(checks.statuses)}; pages by marker {dict(checks.markers)}
- problems: {dict(checks.problems) or 'none'}{''.join(chr(10) + '    ' + e for e in checks.examples)}
- generations seen {len(checks.gen_markers)} (mixed: {mixed_gens or 'none'}); SSE events {dict(sse)}
- edits {state['edits']}, rebuilds {server.rebuilds} (build ms median {statistics.median(server.build_ms or [0]):.0f}, \
max {max(server.build_ms or [0])}), failed builds {server.failed}, last edit served: {settled}
- other server output: {server.other[:5] or 'none'}
- RSS MiB: idle {rss[0]:.0f}, first 5 s under load {first:.0f}, max {max(rss):.0f}, last 5 s {last:.0f}, \
after {rss[-1]:.0f}
  samples: {' '.join(f'{r:.0f}' for r in rss)}
- total: {wrk['rps'] + py_rps:,.0f} req/s
- result: {'PASS' if not any(failures.values()) else 'FAIL ' + str({k: v for k, v in failures.items() if v})}""")
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
