#!/usr/bin/env python3
"""Checks that schema/podform.schema.json and podform's loader agree.

Usage: schema_agreement.py SOURCE_DIR [CONFIG...]

With CONFIG files, only those are checked: each validates against the schema.
Without:

- The schema is a valid draft-07 schema.
- Every examples/*/podform.yaml validates against it (the C++ tests check
  that the loader accepts them too).
- Every broken config tests/config/broken/NAME.yaml declares on its first
  line what the schema makes of it:
    # schema: reject      the schema rejects it (unknown keys, wrong types,
                          enums, ranges, patterns, missing required keys)
    # schema: accept      the schema cannot see the problem (references
                          between entries, the environment, duplicate keys,
                          RunPod names); it must validate, so that the
                          schema's limits are stated, not guessed
    # schema: unparsable  not one YAML document; no schema applies
  and the loader rejects every one of them: NAME.expected (which the
  config_tests corpus test compares with the loader's exact output) holds at
  least one error.

YAML is read as editors read it (YAML 1.2 core schema), like the loader:
`yes` and `on` are strings, dates are strings, 0o17 and 0x1F are integers.

Prints one line per file and a closing "N passed, M failed"; exits 1 on any
failure.
"""

import json
import pathlib
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema resolution."""


Yaml12Loader.yaml_implicit_resolvers = {}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
    ["~", "n", "N", ""])
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$"),
    list("-+0123456789."))


def construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def construct_bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)

HEADER = re.compile(r"^# schema: (reject|accept|unparsable) \(.+\)$")


def schema_errors(validator, document):
    return sorted(validator.iter_errors(document), key=lambda e: list(e.path))


def describe(error):
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"


def main():
    if len(sys.argv) < 2:
        print("usage: schema_agreement.py SOURCE_DIR [CONFIG...]",
              file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    schema = json.loads((root / "schema/podform.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    # With CONFIG files (the end-to-end tests' generated configs): those
    # alone must validate against the schema.
    if len(sys.argv) > 2:
        failed = 0
        for name in sys.argv[2:]:
            document = yaml.load(pathlib.Path(name).read_text(),
                                 Loader=Yaml12Loader)
            for error in schema_errors(validator, document):
                failed += 1
                print(f"FAIL {name}: {describe(error)}")
        return 1 if failed else 0

    passed = 0
    failures = []

    def record(name, problem):
        nonlocal passed
        if problem is None:
            passed += 1
            print(f"PASS {name}")
        else:
            failures.append(name)
            print(f"FAIL {name}: {problem}")

    examples = sorted(root.glob("examples/*/podform.yaml"))
    if not examples:
        record("examples", "no examples/*/podform.yaml found")
    for path in examples:
        name = str(path.relative_to(root))
        try:
            document = yaml.load(path.read_text(), Loader=Yaml12Loader)
        except yaml.YAMLError as e:
            record(name, f"not valid YAML: {str(e).splitlines()[0]}")
            continue
        errors = schema_errors(validator, document)
        record(name, "; ".join(describe(e) for e in errors) or None)

    broken = sorted((root / "tests/config/broken").glob("*.yaml"))
    if len(broken) < 40:
        record("tests/config/broken", f"only {len(broken)} broken configs")
    for path in broken:
        name = str(path.relative_to(root))
        text = path.read_text()
        header = HEADER.match(text.split("\n", 1)[0])
        if header is None:
            record(name, "first line is not '# schema: reject|accept|"
                         "unparsable (why)'")
            continue
        expected = path.with_suffix(".expected")
        if not expected.exists():
            record(name, f"{expected.name} is missing")
            continue
        loader_errors = [line for line in expected.read_text().splitlines()
                         if line and ": warning: " not in line]
        if not loader_errors:
            record(name, f"{expected.name} lists no error: the loader accepts "
                         "this file")
            continue
        verdict = header.group(1)
        try:
            document = yaml.load(text, Loader=Yaml12Loader)
        except yaml.YAMLError as e:
            problem = None if verdict == "unparsable" else (
                f"declared '{verdict}' but is not valid YAML: "
                f"{str(e).splitlines()[0]}")
            record(name, problem)
            continue
        if verdict == "unparsable":
            record(name, "declared 'unparsable' but parses as YAML")
            continue
        errors = schema_errors(validator, document)
        if verdict == "reject" and not errors:
            record(name, "the loader rejects it but the schema accepts it")
        elif verdict == "accept" and errors:
            record(name, "declared 'accept' but the schema rejects it: " +
                   "; ".join(describe(e) for e in errors))
        else:
            record(name, None)

    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
