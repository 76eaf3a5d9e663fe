#!/usr/bin/env python3
"""Replays the simulated team's history (tally-bench write-history) into a git repository.

Usage: demo-history.py HISTORY.jsonl REPO TALLY [--tally-every N]

The first commit sets the repository up (tally.yaml and the schemas come from example-repo);
then every simulated commit is replayed with its author and date: the ones the simulation
made "via tally" are committed with `tally commit` (one in every N of them, default 8, to
keep the demo under a minute; the others with plain git), the rest with `git commit`. The
files are those of the simulation, so the last commit leaves the repository exactly in the
state of example-repo. Tooling only: the product itself never needs Python.
"""
import json
import os
import shutil
import subprocess
import sys


def main() -> int:
    args = sys.argv[1:]
    every = 8
    if "--tally-every" in args:
        i = args.index("--tally-every")
        every = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    history, repo, tally = args
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "example-repo")
    os.makedirs(repo, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    shutil.copy(os.path.join(example, "tally.yaml"), os.path.join(repo, "tally.yaml"))
    shutil.copytree(os.path.join(example, "schema"), os.path.join(repo, "schema"), dirs_exist_ok=True)

    with open(history, encoding="utf-8") as f:
        events = [json.loads(line) for line in f if line.strip()]
    base_env = dict(os.environ)
    base_env.pop("GIT_DIR", None)
    counts = {"tally": 0, "git": 0}
    tally_seen = 0
    first = True
    for event in events:
        env = dict(base_env)
        env.update(
            GIT_AUTHOR_NAME=event["author_name"],
            GIT_AUTHOR_EMAIL=event["author_email"],
            GIT_AUTHOR_DATE=event["timestamp"],
            GIT_COMMITTER_NAME=event["author_name"],
            GIT_COMMITTER_EMAIL=event["author_email"],
            GIT_COMMITTER_DATE=event["timestamp"],
            TALLY_TODAY=event["timestamp"][:10],
        )
        paths = []
        for change in event["changes"]:
            path = os.path.join(repo, change["path"])
            paths.append(change["path"])
            if change["content"] is None:
                if os.path.exists(path):
                    os.remove(path)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as out:
                    out.write(change["content"])
        use_tally = False
        if event["via"] == "tally" and not first:
            tally_seen += 1
            use_tally = tally_seen % every == 1 or every == 1
        if use_tally:
            result = subprocess.run(
                [tally, "commit", "-m", event["message"], "--", *paths],
                cwd=repo, env=env, capture_output=True, text=True,
            )
            counts["tally"] += 1
        else:
            subprocess.run(["git", "add", "-A", "--", *(paths if not first else ["."])], cwd=repo, env=env, check=True)
            result = subprocess.run(
                ["git", "commit", "-q", "--no-verify", "-m", event["message"]],
                cwd=repo, env=env, capture_output=True, text=True,
            )
            counts["git"] += 1
        if result.returncode != 0:
            print(f"demo: commit '{event['message']}' failed:\n{result.stdout}{result.stderr}", file=sys.stderr)
            return 1
        first = False
    authors = len({e["author_email"] for e in events})
    print(
        f"replayed {len(events)} commits by {authors} people "
        f"({counts['tally']} with tally commit, {counts['git']} with git commit), "
        f"{events[0]['timestamp'][:10]} … {events[-1]['timestamp'][:10]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
