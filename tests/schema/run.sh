#!/usr/bin/env bash
# The schedule format's JSON Schema (`nedetid schema`, published as
# schema.json) in a real validator: check-jsonschema (pinned, with Python
# jsonschema underneath; it reads YAML itself) must
#   - find the schema valid under the draft 2020-12 meta-schema,
#   - accept every valid schedule file: the fixtures of tests/fixtures/valid,
#     warnings, page-2019 and import/roundtrip, schedules/, and a fresh
#     `nedetid init`,
#   - reject exactly the invalid fixtures listed below, with the kind of
#     failure listed (a schema error, or YAML it cannot read); an invalid
#     fixture not listed must be accepted (its mistake is one only `nedetid
#     check` sees), so that the list stays true when either side changes,
#   - name the three mistakes of tests/schema/three-mistakes.yaml;
# and VS Code's own YAML engine (Red Hat's yaml-language-server, through
# vscode.mjs) must
#   - follow the `# yaml-language-server: $schema=` line of the init files
#     and of three-mistakes.yaml, flag nothing in the valid files and the
#     three mistakes there, each on its line, in the extension's words,
#   - offer an outage's keys for completion and show a key's description.
# Installs the validator into tests/schema/.deps (python3 -m venv, pip) and
# the language server (npm ci of package-lock.json).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deps="$here/.deps"
say() { printf 'schema: %s\n' "$*" >&2; }
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$root/tests/lib.sh"

# The mistakes a schema can see: unknown keys, wrong types, values YAML
# reads as numbers, bad enums (status, language, impact), id patterns, date
# and time patterns, the rule's FREQ, `all` in a list, a missing required
# key, an empty file (null).
schema_catches=(
    bad-month bad-rule empty-file many-problems missing-field norwegian-date
    number-as-text times-and-windows unknown-key unknown-language unsafe-id
    unsafe-id-more wrong-type alias-bomb systems-and-bundles
)
# Files the YAML reader refuses before any schema is applied.
yaml_broken=(bad-indentation deep-nesting not-utf8 tab-indentation unclosed-quote)

for tool in python3 sha256sum node npm; do
    command -v "$tool" > /dev/null || { say "needs $tool on PATH"; exit 2; }
done

stamp="$deps/stamp"
key="$(cat "$here/requirements.txt" "$here/package.json" "$here/package-lock.json" \
    | sha256sum | cut -d' ' -f1) $(python3 --version 2>&1) node $(node --version)"
if ! [[ -f "$stamp" && "$(cat "$stamp")" == "$key" && -x "$deps/venv/bin/check-jsonschema" \
      && -f "$deps/node/node_modules/yaml-language-server/package.json" ]]; then
    say "installing check-jsonschema and yaml-language-server into ${deps#"$root"/}"
    rm -rf "$deps"
    mkdir -p "$deps/node"
    python3 -m venv "$deps/venv"
    "$deps/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: -r "$here/requirements.txt" >&2
    "$deps/venv/bin/pip" check >&2
    # npm ci wants package.json and the lock file where it installs.
    cp "$here/package.json" "$here/package-lock.json" "$deps/node/"
    npm ci --prefix "$deps/node" --no-audit --no-fund --ignore-scripts --loglevel=error >&2
    printf '%s\n' "$key" > "$stamp"
fi
# vscode.mjs imports from the folder it is in: a copy beside node_modules.
cp "$here/vscode.mjs" "$deps/node/vscode.mjs"
vscode() { node "$deps/node/vscode.mjs" "$@"; }
cj="$deps/venv/bin/check-jsonschema"

find_nedetid
make_work schema NEDETID_KEEP_WORK
schema="$work/schema.json"
"$bin" schema > "$schema"
# The published copy is the same schema.
cmp "$schema" "$root/out/schema.json" || { say "out/schema.json is not what \`nedetid schema\` prints: rebuild out/"; exit 1; }

"$cj" --check-metaschema "$schema" > /dev/null || { say "the schema is not valid JSON Schema"; exit 1; }
# shellcheck disable=SC2016 # a literal `$schema`
grep -q '"\$schema": "https://json-schema.org/draft/2020-12/schema"' "$schema"

"$bin" init "$work/init" --now 2026-11-30 > /dev/null
valid=("$root"/tests/fixtures/valid/*/*.yaml "$root"/tests/fixtures/warnings/*/*.yaml
    "$root"/tests/fixtures/page-2019/*.yaml "$root"/tests/fixtures/import/roundtrip/*.yaml
    "$root"/schedules/*.yaml "$work"/init/*.yaml)
failed=0
for f in "${valid[@]}"; do
    if ! "$cj" --schemafile "$schema" "$f" > "$work/out.txt" 2>&1; then
        say "valid file refused: ${f#"$root"/}"
        cat "$work/out.txt" >&2
        failed=1
    fi
done
# The init files name the schema written beside them, which is this one.
for f in "$work"/init/*.yaml; do
    # shellcheck disable=SC2016 # a literal `$schema`
    head -n1 "$f" | grep -qx '# yaml-language-server: $schema=schema.json' || { say "$f: no schema line"; failed=1; }
done
cmp "$schema" "$work/init/schema.json" || failed=1

listed() { local n="$1"; shift; local x; for x in "$@"; do [[ "$x" == "$n" ]] && return 0; done; return 1; }
caught=0
for dir in "$root"/tests/fixtures/invalid/*/; do
    name="$(basename "$dir")"
    files=("$dir"*.yaml)
    out="$work/$name.txt"
    if "$cj" --schemafile "$schema" "${files[@]}" > "$out" 2>&1; then result=accepted
    elif grep -q '^Schema validation errors were encountered' "$out"; then result=schema
    else result=yaml
    fi
    if listed "$name" "${schema_catches[@]}"; then want=schema
    elif listed "$name" "${yaml_broken[@]}"; then want=yaml
    else want=accepted
    fi
    if [[ "$result" != "$want" ]]; then
        say "invalid/$name: expected $want, got $result"
        cat "$out" >&2
        failed=1
    fi
    [[ "$result" == schema ]] && caught=$((caught + 1))
done

# The demonstration file: its three mistakes, by path and message.
if "$cj" --schemafile "$schema" "$here/three-mistakes.yaml" > "$work/three.txt" 2>&1; then
    say "three-mistakes.yaml accepted"; failed=1
fi
for want in "Additional properties are not allowed ('titel' was unexpected)" \
    "\$.outages[0].start: '10.03.2026 18:00' does not match" \
    "\$.outages[0].status: 'bekreftet' is not one of ['confirmed', 'tentative', 'cancelled']"; do
    grep -qF -- "$want" "$work/three.txt" || { say "three-mistakes.yaml: no \"$want\""; cat "$work/three.txt" >&2; failed=1; }
done

# --- VS Code's engine -------------------------------------------------------------
lsp_checks=0
for f in "${valid[@]}"; do
    if [[ "$f" == "$work"/init/* ]]; then got="$(vscode validate "$f")"; else got="$(vscode validate "$f" "$schema")"; fi
    lsp_checks=$((lsp_checks + 1))
    [[ -z "$got" ]] || { say "yaml-language-server flags a valid file: $got"; failed=1; }
done
# three-mistakes.yaml names ../../out/schema.json on its first line.
got="$(vscode validate "$here/three-mistakes.yaml" | sed "s|^$here/||" | sort)"
# shellcheck disable=SC2016 # backticks in the expected message
want="$(printf '%s\n' \
    'three-mistakes.yaml:11:13: Value is not accepted. Valid values: "confirmed", "tentative", "cancelled".' \
    'three-mistakes.yaml:6:5: Missing property "title".' \
    'three-mistakes.yaml:7:5: Property titel is not allowed.' \
    'three-mistakes.yaml:9:12: write the date and time as year-month-day hours:minutes, e.g. `2019-11-29 15:30`' | sort)"
if [[ "$got" != "$want" ]]; then
    say "yaml-language-server on three-mistakes.yaml:"; printf '%s\n' "$got" >&2; failed=1
fi
printf '%s\n' "# yaml-language-server: \$schema=schema.json" "outages:" "  - id: a" "    " > "$work/init/complete.yaml"
offered="$(vscode complete "$work/init/complete.yaml" 4 5 | tr '\n' ' ')"
for key in title systems start end first-day last-day description consequences still-works impact location status link; do
    [[ " $offered " == *" $key "* ]] || { say "completion does not offer \`$key\`: $offered"; failed=1; }
done
[[ " $offered " != *" id "* ]] || { say "completion offers \`id\` again: $offered"; failed=1; }
hover="$(vscode hover "$work/init/nedetid.yaml" "$(grep -n '^    start:' "$work/init/nedetid.yaml" | head -n1 | cut -d: -f1)" 6)"
[[ "$hover" == *"Timed: the local start."* ]] || { say "no description on hover: $hover"; failed=1; }
lsp_checks=$((lsp_checks + 3))

if [[ $failed -ne 0 ]]; then
    say "FAILED"
    exit 1
fi
say "${#valid[@]} valid files accepted; ${caught} invalid fixtures caught by the schema, ${#yaml_broken[@]} unreadable as YAML, the rest left to \`nedetid check\`; yaml-language-server: the valid files clean, the three mistakes flagged, completion and hover"
echo "schema: $((${#valid[@]} + caught + ${#yaml_broken[@]} + 2 + lsp_checks)) passed, 0 failed"
