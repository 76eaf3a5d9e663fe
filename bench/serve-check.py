"""Checks for `make bench-serve` (bench/serve.sh) that need more than curl and wrk.

latency URL BENCH REPO SEED
    Makes one commit on main (tally-bench gen-history --append 1) and polls the record
    page until the commit it was made from (<meta name="tally-commit">) is the new tip;
    prints "latency SECONDS".
pushes URL BENCH REPO SEED TALLY SECONDS [LOAD-PID]
    Makes 100 commits one by one (spread over at least the given seconds) while fetching
    /reports/plan.json without pause, then stops the load (SIGINT to LOAD-PID: wrk reports); afterwards every body is compared with `tally report plan --format json
    --rev C` for the commit C it names. Prints "checked N", "mixed M", "errors E".
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request


def head(repo):
    return subprocess.run(["git", "-C", repo, "rev-parse", "refs/heads/main"], check=True,
                          capture_output=True, text=True).stdout.strip()


def append(bench, repo, seed):
    subprocess.run([bench, "gen-history", repo, "--append", "1", "--seed", str(seed)], check=True,
                   capture_output=True)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def latency(url, bench, repo, seed):
    page = url + "reports/plan"
    before = head(repo)
    append(bench, repo, int(seed) * 7919)
    landed = time.monotonic()
    after = head(repo)
    assert after != before, "no commit was made"
    while True:
        status, body = fetch(page)
        match = re.search(rb'<meta name="tally-commit" content="([0-9a-f]+)">', body)
        if status == 200 and match and match.group(1).decode() == after:
            break
        if time.monotonic() - landed > 30:
            print("latency 30 (never seen)")
            return
        time.sleep(0.01)
    print(f"latency {time.monotonic() - landed:.3f}")


def pushes(url, bench, repo, seed, tally, seconds, load=None):
    seconds = float(seconds)
    bodies = {}
    errors = []
    done = threading.Event()

    def reader():
        while not done.is_set():
            try:
                status, body = fetch(url + "reports/plan.json")
                if status != 200:
                    errors.append(status)
                    continue
                match = re.search(rb'"commit":"([0-9a-f]{40})"', body)
                bodies.setdefault(match.group(1).decode(), set()).add(body)
            except Exception as error:  # noqa: BLE001 - every failure counts
                errors.append(repr(error))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    for n in range(100):
        append(bench, repo, int(seed) * 100003 + n)
        pause = start + (n + 1) * seconds * 0.8 / 100 - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    time.sleep(1)
    if load:
        os.kill(int(load), signal.SIGINT)
    landed = time.monotonic() - start
    done.set()
    for thread in threads:
        thread.join()
    checked = mixed = 0
    for commit, seen in sorted(bodies.items()):
        expected = subprocess.run([tally, "report", "plan", "--format", "json", "--rev", commit], cwd=repo,
                                  check=True, capture_output=True).stdout
        for body in seen:
            checked += 1
            if body != expected:
                mixed += 1
    print(f"commits landed in {landed:.1f} s; commits seen {len(bodies)}")
    print(f"checked {checked}")
    print(f"mixed {mixed}")
    print(f"errors {len(errors)} {errors[:3]}")


if __name__ == "__main__":
    {"latency": latency, "pushes": pushes}[sys.argv[1]](*sys.argv[2:])
