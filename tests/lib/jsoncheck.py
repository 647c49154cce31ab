#!/usr/bin/python3
"""jsoncheck.py SCHEMA [EXIT] < OUTPUT: is OUTPUT one JSON object valid
against SCHEMA (draft 2020-12), whose "exit" is EXIT?  Exit 0 if so; 1
with the reasons on stderr.  Uses Debian's python3-jsonschema (run by
/usr/bin/python3, never a python3 of someone's PATH)."""
import json
import sys

import jsonschema


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    text = sys.stdin.read()
    problems = []
    try:
        obj, end = json.JSONDecoder().raw_decode(text)
    except ValueError as e:
        print(f"not one JSON value: {e}: {text[:200]!r}", file=sys.stderr)
        return 1
    if text[end:].strip():
        problems.append(f"more after the object: {text[end:end + 80]!r}")
    if not text.endswith("\n") or text.count("\n") != 1:
        problems.append("not exactly one line")
    # the schema itself is checked once, by tests/json.bats: not per call
    cls = jsonschema.validators.validator_for(schema)
    for e in sorted(cls(schema).iter_errors(obj), key=lambda e: list(e.path)):
        path = "/".join(str(p) for p in e.absolute_path)
        problems.append(f"at /{path}: {e.message}")
    if len(sys.argv) > 2 and isinstance(obj, dict) and obj.get("exit") != int(sys.argv[2]):
        problems.append(f"\"exit\" is {obj.get('exit')!r}, the exit status {sys.argv[2]}")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
