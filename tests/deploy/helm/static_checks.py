#!/usr/bin/env python3
"""Static checks of the upscalefarm chart, before anything is rendered.

1. Every plain YAML file (Chart.yaml, values.yaml, the example values here) parses, and every JSON
   schema parses; Chart.yaml is apiVersion v2 with appVersion 0.1.0.
2. Every values path a template names (.Values.a.b, $.Values…, .root.Values…, and simple aliases such as
   `$w := .Values.worker` … `$w.gpu.count`) exists in values.yaml. Strict rendering catches such typos
   only on the branches the example values reach; this reads every branch.
3. Every template that `include`/`template` names is defined.

Usage: static_checks.py CHART_DIR EXAMPLES_DIR
"""
import json
import pathlib
import re
import sys

import yaml

chart = pathlib.Path(sys.argv[1])
examples = pathlib.Path(sys.argv[2])
failures = []
checked = 0


def fail(message):
    failures.append(message)


# 1. YAML and JSON files parse.
yaml_files = [chart / "Chart.yaml", chart / "values.yaml", *sorted(examples.glob("*.yaml"))]
for f in yaml_files:
    checked += 1
    try:
        with f.open() as stream:
            list(yaml.safe_load_all(stream))
    except yaml.YAMLError as e:
        fail(f"{f}: YAML does not parse: {e}")
for f in [chart / "values.schema.json", *sorted((examples / "schemas").glob("*.json"))]:
    checked += 1
    try:
        json.loads(f.read_text())
    except ValueError as e:
        fail(f"{f}: JSON does not parse: {e}")
meta = yaml.safe_load((chart / "Chart.yaml").read_text())
checked += 1
if meta.get("apiVersion") != "v2" or meta.get("appVersion") != "0.1.0" or meta.get("name") != "upscalefarm":
    fail("Chart.yaml: expected apiVersion v2, name upscalefarm, appVersion 0.1.0 (a string)")

values = yaml.safe_load((chart / "values.yaml").read_text())

# 2. Values paths named by the templates exist.
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
VALUES_PATH = re.compile(r"(?<![A-Za-z0-9_])(?:\$|\$root|\.root)?\.Values((?:\." + IDENT + r")+)")
ALIAS = re.compile(r"\$(" + IDENT + r")\s*:?=\s*\(?\s*(?:\$|\$root|\.root)?\.Values((?:\." + IDENT + r")*)\s*\)?\s*(?:-?}})")
ALIAS_USE = re.compile(r"\$(" + IDENT + r")((?:\." + IDENT + r")+)")


def resolve(path, where):
    global checked
    checked += 1
    node = values
    walked = []
    for key in path:
        if isinstance(node, dict):
            if not node:  # a free-form map (nodeSelector, annotations…): any key may be set
                return
            if key not in node:
                fail(f"{where}: .Values.{'.'.join(path)}: no key {key!r} under .Values{''.join('.' + w for w in walked)} in values.yaml")
                return
            node = node[key]
            walked.append(key)
        else:
            fail(f"{where}: .Values.{'.'.join(path)}: .Values.{'.'.join(walked)} is not a map in values.yaml")
            return


templates = sorted(p for p in (chart / "templates").rglob("*") if p.is_file())
defined, included = set(), []
for t in templates:
    text = t.read_text()
    rel = t.relative_to(chart)
    aliases = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        where = f"{rel}:{lineno}"
        for m in ALIAS.finditer(line):
            if re.search(r"range\s+(\$" + IDENT + r"\s*,\s*)?$", line[: m.start()]):
                aliases.pop(m.group(1), None)  # a range variable is an element, not the list
                continue
            aliases[m.group(1)] = [p for p in m.group(2).split(".") if p]
        for m in VALUES_PATH.finditer(line):
            resolve([p for p in m.group(1).split(".") if p], where)
        for m in ALIAS_USE.finditer(line):
            name = m.group(1)
            if name in aliases and not re.match(r"\s*:?=", line[m.end():]):
                resolve(aliases[name] + [p for p in m.group(2).split(".") if p], where)
        defined.update(re.findall(r'{{-?\s*define\s+"([^"]+)"', line))
        included.extend((n, where) for n in re.findall(r'(?:include|template)\s+"([^"]+)"', line))

# 3. Named templates exist.
for name, where in included:
    checked += 1
    if name not in defined:
        fail(f"{where}: includes undefined template {name!r}")

if failures:
    print(f"FAIL static checks: {len(failures)} of {checked} failed", file=sys.stderr)
    for f in failures:
        print(f"  - {f}", file=sys.stderr)
    sys.exit(1)
print(f"ok   static checks: {len(yaml_files)} YAML files parse, {checked} checks (values paths in {len(templates)} templates, {len(set(n for n, _ in included))} named templates)")
