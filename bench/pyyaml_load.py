"""The PyYAML baseline for bench/parse.sh: what `tally parse --format json FILE...` does,
with libyaml's C loader.

For each file: yaml.load(f, Loader=yaml.CBaseLoader) (every scalar a string, as in Tally),
then one JSON line {"path": ..., "value": ...} on standard output. The JSON is compact
(no spaces after , and :) so the output can be compared byte for byte with tally's.

With --phases, times reading, loading and dumping separately (time.perf_counter) and prints
the split on standard error instead.
"""
import json
import sys
import time

import yaml

if not hasattr(yaml, "CBaseLoader"):
    sys.exit("pyyaml_load.py: PyYAML was built without libyaml (no yaml.CBaseLoader)")


def main(paths):
    out = sys.stdout.buffer
    load, loader, dumps = yaml.load, yaml.CBaseLoader, json.dumps
    for p in paths:
        with open(p, "rb") as f:
            v = load(f, Loader=loader)
        line = dumps({"path": p, "value": v}, ensure_ascii=False, separators=(",", ":"))
        out.write(line.encode("utf-8"))
        out.write(b"\n")
    out.flush()


def phases(paths):
    clock = time.perf_counter
    load, loader, dumps = yaml.load, yaml.CBaseLoader, json.dumps
    t_read = t_load = t_dump = 0.0
    size = 0
    for p in paths:
        t0 = clock()
        with open(p, "rb") as f:
            data = f.read()
        t1 = clock()
        v = load(data, Loader=loader)
        t2 = clock()
        line = (dumps({"path": p, "value": v}, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        t3 = clock()
        t_read += t1 - t0
        t_load += t2 - t1
        t_dump += t3 - t2
        size += len(data)
    total = t_read + t_load + t_dump
    for name, t in (("read files", t_read), ("yaml.load (CBaseLoader)", t_load), ("json.dumps + encode", t_dump)):
        print(f"{name:<26} {t:8.3f} s  {100 * t / total:5.1f}%  {size / 1e6 / t:8.1f} MB/s", file=sys.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--phases":
        phases(args[1:])
    else:
        main(args)
