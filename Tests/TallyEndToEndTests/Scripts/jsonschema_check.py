#!/usr/bin/env python3
"""Validates record files against the JSON Schemas `tally schema export` wrote, the way an
editor's YAML language server sees them (YAML 1.2 core typing: numbers and true/false are
typed, dates stay text), and prints one JSON line per record: its path and the top-level
fields that have errors.

usage: jsonschema_check.py SCHEMA_DIR RECORDS_ROOT TYPE=DIRECTORY...
"""
import json
import os
import re
import sys

import yaml
from jsonschema import Draft202012Validator, FormatChecker


class Core12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema resolution (no timestamps, no yes/no/on/off)."""


Core12Loader.yaml_implicit_resolvers = {}
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def top_field(error):
    path = list(error.absolute_path)
    if path:
        return str(path[0])
    message = error.message
    match = re.match(r"'([^']+)' is a required property", message)
    if match:
        return match.group(1)
    match = re.search(r"\('([^']+)' was unexpected\)", message) or re.search(r"'([^']+)' (?:was|were) unexpected", message)
    if match:
        return match.group(1)
    return "(record)"


def main():
    schema_dir, root = sys.argv[1], sys.argv[2]
    for pair in sys.argv[3:]:
        type_name, directory = pair.split("=", 1)
        with open(os.path.join(schema_dir, type_name + ".schema.json"), encoding="utf-8") as f:
            validator = Draft202012Validator(json.load(f), format_checker=FormatChecker())
        folder = os.path.join(root, directory)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".yaml"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                record = yaml.load(f, Loader=Core12Loader)
            fields = sorted({top_field(e) for e in validator.iter_errors(record)})
            print(json.dumps({"file": directory + "/" + name, "fields": fields}, ensure_ascii=False))


if __name__ == "__main__":
    main()
