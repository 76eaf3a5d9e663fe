#!/usr/bin/env python3
"""Validates outputs of tally against the JSON Schemas in docs/outputs.md.

usage: output_schema_check.py DOCS NAME=FILE...

Each FILE holds the output of one command: a JSON document, or JSON Lines when NAME is
parse-line. The schemas are the ```json schema=NAME blocks of DOCS; the block `common`
holds the shared $defs. Prints one line per problem and exits 1 when there are any; prints
'ok N' (the number of documents validated) otherwise.
"""
import json
import re
import sys

from jsonschema import Draft202012Validator

docs = open(sys.argv[1], encoding="utf-8").read()
blocks = dict(re.findall(r"```json schema=([a-z-]+)\n(.*?)\n```", docs, flags=re.S))
common = json.loads(blocks.pop("common"))
problems = []
validated = 0
for argument in sys.argv[2:]:
    name, path = argument.split("=", 1)
    if name not in blocks:
        problems.append(f"{path}: docs/outputs.md has no schema '{name}'")
        continue
    schema = json.loads(blocks[name])
    schema.setdefault("$defs", {}).update(common["$defs"])
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    text = open(path, encoding="utf-8").read()
    documents = [line for line in text.splitlines() if line.strip()] if name == "parse-line" else [text]
    for document in documents:
        try:
            instance = json.loads(document)
        except json.JSONDecodeError as error:
            problems.append(f"{path} ({name}): not JSON: {error}")
            continue
        for error in validator.iter_errors(instance):
            where = "/".join(str(part) for part in error.absolute_path)
            problems.append(f"{path} ({name}) at /{where}: {error.message}")
        validated += 1
for problem in problems:
    print(problem)
print(f"ok {validated}" if not problems else f"{len(problems)} problems")
sys.exit(1 if problems else 0)
