#!/usr/bin/env python3
"""Runs Warden's libFuzzer targets for a while each and keeps what they learn (docs/fuzzing.md).

`make fuzz-run [SECONDS=300] [TARGETS=head_parser_fuzz,chunked_fuzz]` calls this after `make fuzz`.
Each target runs for SECONDS, as many at once as there are cores, over its grown corpus in a
cache folder outside the clone (seeded from the committed corpus, which stays small); afterwards
the grown corpus is merged and minimised. A crash, leak, timeout or out-of-memory input is kept
in the cache's findings folder with the target's name and its sanitizer report beside it. The
run ends with one table (target, executions, coverage, features, corpus, new inputs, findings)
and exits 1 when anything was found.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FINDING_PREFIXES = ("crash-", "leak-", "timeout-", "oom-", "slow-unit-")
# Reports with function names and lines: the symbolizer of the clang that built the targets.
SYMBOLIZER = "/usr/lib/llvm-16/bin/llvm-symbolizer"
SANITIZER_ENV = {**os.environ, "ASAN_OPTIONS": "detect_leaks=1", "ASAN_SYMBOLIZER_PATH": SYMBOLIZER,
                 "UBSAN_OPTIONS": "print_stacktrace=1"}


@dataclass
class Target:
    name: str
    binary: Path
    seeds: Path | None


@dataclass
class Outcome:
    target: str
    executions: int = 0
    coverage: int = 0
    features: int = 0
    corpus: int = 0
    new_inputs: int = 0
    findings: list[Path] = field(default_factory=list)
    error: str = ""


def read_manifest(build: Path) -> list[Target]:
    manifest = build / "fuzz_targets.tsv"
    if not manifest.exists():
        sys.exit(f"fuzz-run: {manifest} is missing: run `make fuzz` first")
    targets = []
    for line in manifest.read_text().splitlines():
        name, binary, seeds = (line.split("\t") + [""] * 3)[:3]
        targets.append(Target(name, Path(binary), Path(seeds) if seeds else None))
    return targets


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def last_int(pattern: str, text: str) -> int:
    found = re.findall(pattern, text)
    return int(found[-1]) if found else 0


def minimise(target: Target, corpus: Path, log: Path) -> None:
    """Merges the grown corpus (and the seeds) into a minimal set that keeps every feature."""
    merged = corpus.with_name("corpus.merging")
    shutil.rmtree(merged, ignore_errors=True)
    merged.mkdir()
    inputs = [str(corpus)] + ([str(target.seeds)] if target.seeds and target.seeds.is_dir() else [])
    with log.open("a") as out:
        rc = subprocess.run([str(target.binary), "-merge=1", "-rss_limit_mb=4096", str(merged), *inputs],
                            stdout=out, stderr=subprocess.STDOUT, timeout=1800, env=SANITIZER_ENV).returncode
    if rc == 0:
        shutil.rmtree(corpus)
        merged.rename(corpus)
    else:  # keep the unminimised corpus: nothing learnt is thrown away
        shutil.rmtree(merged, ignore_errors=True)


def run(target: Target, seconds: int, cache: Path) -> Outcome:
    outcome = Outcome(target.name)
    if not target.binary.exists():
        outcome.error = f"{target.binary} not built"
        return outcome
    home = cache / target.name
    corpus, findings = home / "corpus", home / "findings"
    corpus.mkdir(parents=True, exist_ok=True)
    findings.mkdir(exist_ok=True)
    log = home / "last-run.log"
    command = [str(target.binary), f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2560",
               "-print_final_stats=1", f"-artifact_prefix={findings}/", str(corpus)]
    if target.seeds and target.seeds.is_dir():
        command.append(str(target.seeds))
    with log.open("w") as out:
        out.write(" ".join(command) + "\n")
        out.flush()
        try:
            rc = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 300,
                                env=SANITIZER_ENV).returncode
        except subprocess.TimeoutExpired:
            rc, outcome.error = None, f"did not stop within {seconds + 300} s"
    text = log.read_text(errors="replace")
    outcome.executions = last_int(r"stat::number_of_executed_units:\s+(\d+)", text)
    outcome.new_inputs = last_int(r"stat::new_units_added:\s+(\d+)", text)
    outcome.coverage = last_int(r"\bcov: (\d+)", text)
    outcome.features = last_int(r"\bft: (\d+)", text)
    # libFuzzer names each input it keeps (even one a run before already found, same name).
    for written in dict.fromkeys(re.findall(r"Test unit written to (\S+)", text)):
        found = Path(written)
        if found.name.startswith(FINDING_PREFIXES):
            report = found.with_name(found.name + ".log")
            report.write_text(f"target: {target.name}\nbinary: {target.binary}\ninput: {found}\n\n{text}")
            outcome.findings.append(found)
    if rc not in (0, None) and not outcome.findings:
        outcome.error = f"exited with status {rc} and left no input behind (see {log})"
    minimise(target, corpus, log)
    outcome.corpus = len(files_in(corpus))
    return outcome


def table(outcomes: list[Outcome]) -> str:
    rows = [("target", "executions", "cov", "ft", "corpus", "new", "findings")]
    for o in outcomes:
        found = o.error or (", ".join(p.name for p in o.findings) if o.findings else "none")
        rows.append((o.target, f"{o.executions:,}", str(o.coverage), str(o.features), str(o.corpus),
                     str(o.new_inputs), found))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("build/fuzz"))
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--targets", default="", help="comma-separated names (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    cache_home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    parser.add_argument("--cache", type=Path, default=cache_home / "warden" / "fuzz")
    args = parser.parse_args()

    targets = read_manifest(args.build)
    if args.targets:
        wanted = [t.strip() for t in args.targets.split(",") if t.strip()]
        unknown = sorted(set(wanted) - {t.name for t in targets})
        if unknown:
            sys.exit(f"fuzz-run: no such target: {', '.join(unknown)} "
                     f"(have: {', '.join(t.name for t in targets)})")
        targets = [t for t in targets if t.name in wanted]

    print(f"fuzz-run: {len(targets)} targets, {args.seconds} s each, {args.jobs} at once; "
          f"corpora and findings in {args.cache}", flush=True)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda t: run(t, args.seconds, args.cache), targets))
    print(table(outcomes))
    print(f"fuzz-run: {time.monotonic() - started:.0f} s")
    bad = [o for o in outcomes if o.findings or o.error]
    for o in bad:
        for found in o.findings:
            print(f"fuzz-run: {o.target} found {found} (report: {found}.log); replay with "
                  f"`{next(t.binary for t in targets if t.name == o.target)} {found}`")
        if o.error:
            print(f"fuzz-run: {o.target}: {o.error}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
