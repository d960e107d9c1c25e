#!/usr/bin/env python3
"""Measures `dossier serve`'s edit → reload latency (issue 6).

For each corpus size: generates the benchmark corpus (once, cached), starts
`dossier serve` on a free port, subscribes to its server-sent events like a
browser does, then saves an edit to one brief the way editors do (write a
temporary file, rename it over the original) and times how long until the
`reload` event arrives. Also reports the build time the server printed and
the server's resident memory.

    scripts/serve_latency.py [--sizes 1000,10000] [--runs 5] [--binary target/release/dossier]
                             [--work /tmp/dossier-serve-latency] [--gen ../shared/bench/gen_corpus.py]

Build the binary first (`cargo build --release`). Nothing heavy should run
meanwhile: these are wall times. The edited brief is restored afterwards.
"""

import argparse
import os
import queue
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes in briefs, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="edits per size")
    parser.add_argument("--binary", default=str(REPO / "target/release/dossier"))
    parser.add_argument("--work", default="/tmp/dossier-serve-latency", help="where corpora are generated")
    parser.add_argument("--gen", default=str(REPO.parent / "shared/bench/gen_corpus.py"))
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for one build")
    args = parser.parse_args()

    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        corpus = ensure_corpus(Path(args.work) / f"dossier-{size}", size, Path(args.gen))
        rows.append((size, measure(Path(args.binary), corpus, args.runs, args.timeout)))

    print()
    print("| briefs | edits | edit → reload event, median (min–max) | server build time, median | search index after it, median | server RSS |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, r in rows:
        lat = r["latency_ms"]
        print(
            f"| {size:,} | {len(lat)} | {statistics.median(lat):,.0f} ms ({min(lat):,.0f}–{max(lat):,.0f}) "
            f"| {statistics.median(r['build_ms']):,.0f} ms | {statistics.median(r['index_ms']):,.0f} ms | {r['rss_mib']:,.0f} MiB |"
        )
    return 0


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
    """`dossier serve --port 0` with its stderr collected line by line."""

    def __init__(self, binary: Path, root: Path, timeout: float):
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--port", "0", "--root", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for(lambda l: l.startswith("Serving http://"), timeout)
        url = line.split()[1]
        hostport, _, base = url[len("http://"):].partition("/")
        host, _, port = hostport.rpartition(":")
        self.host, self.port, self.base = host, int(port), "/" + base

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float) -> str:
        line = self.try_wait_for(predicate, timeout)
        if line is None:
            raise SystemExit(f"dossier serve: nothing matching within {timeout:.0f} s")
        return line

    def try_wait_for(self, predicate, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if predicate(line):
                return line

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
    """The server-sent events stream, read line by line as a browser would."""

    def __init__(self, server: Server):
        self.sock = socket.create_connection((server.host, server.port))
        request = f"GET {server.base}__dossier/events HTTP/1.1\r\nHost: {server.host}\r\nAccept: text/event-stream\r\n\r\n"
        self.sock.sendall(request.encode())
        self.file = self.sock.makefile("rb")
        self.wait_for("event: hello", 30)

    def wait_for(self, wanted: str, timeout: float):
        self.sock.settimeout(timeout)
        while True:
            line = self.file.readline()
            if not line:
                raise SystemExit("the events stream closed")
            if line.decode(errors="replace").strip() == wanted:
                return


def save_atomically(path: Path, text: str):
    temp = path.with_name("." + path.name + ".latency-tmp")
    temp.write_text(text)
    os.replace(temp, path)


def measure(binary: Path, corpus: Path, runs: int, timeout: float) -> dict:
    briefs = sorted((corpus / "content/briefs").rglob("*.md"))
    brief = briefs[len(briefs) // 2]
    original = brief.read_text()
    print(f"{corpus.name}: serving; edits go to {brief.relative_to(corpus)}", file=sys.stderr)
    server = Server(binary, corpus, timeout)
    built = re.compile(r"changed: (?:updated [\d,]+ pages? in (\d+) ms|no page changed \((\d+) ms\))")
    indexed = re.compile(r"search index updated: [\d,]+ files? in (\d+) ms")
    latency_ms, build_ms, index_ms = [], [], []
    try:
        events = Events(server)
        for run in range(runs):
            time.sleep(1.0)
            save_atomically(brief, original.rstrip("\n") + f"\n\nLatency probe {run}.\n")
            started = time.perf_counter()
            events.wait_for("event: reload", timeout)
            latency_ms.append((time.perf_counter() - started) * 1000)
            line = server.wait_for(lambda l: " changed: " in l, timeout)
            match = built.search(line)
            if not match:
                raise SystemExit(f"the build failed: {line}")
            build_ms.append(int(match.group(1) or match.group(2)))
            # With search on, the index follows the reload (issue 17).
            line = server.try_wait_for(lambda l: "search index updated" in l, 20)
            match = indexed.search(line or "")
            index_ms.append(int(match.group(1)) if match else 0)
            print(
                f"  edit {run + 1}: reload after {latency_ms[-1]:,.0f} ms (build {build_ms[-1]:,} ms, then index {index_ms[-1]:,} ms)",
                file=sys.stderr,
            )
        rss = server.rss_mib()
    finally:
        save_atomically(brief, original)
        time.sleep(0.5)
        server.stop()
    return {"latency_ms": latency_ms, "build_ms": build_ms, "index_ms": index_ms, "rss_mib": rss}


if __name__ == "__main__":
    sys.exit(main())
