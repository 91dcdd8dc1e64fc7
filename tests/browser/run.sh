#!/usr/bin/env bash
# Browser suite: the pages people open (index.html and a system's page) in
# a real browser.
#
# Builds the 2019 page (tests/fixtures/page-2019) with `nedetid build --now 2019-11-01T12:00:00Z`
# (so that both "Kommende" and "Tidligere nedetid" have content), serves the
# output folder on 127.0.0.1 and opens index.html and visma.html in Debian's
# Chromium driven by playwright-core. check.mjs then runs axe-core (WCAG 2.0/2.1 A and AA),
# checks for horizontal scrolling at 390px and 1280px, tap-target sizes, the
# skip link, fragment links, the download links, that no request leaves
# 127.0.0.1, that "Kopier" works, and validates the HTML with html-validate;
# on the index, the system filter (near the top at 390px, narrowing the list,
# hidden without JavaScript) and "Pågår nå" with the browser's clock faked
# before, during and after the emergency power test of 3 November 2019 (an
# all-day event: 2019-11-02T23:00Z to 2019-11-03T23:00Z).
# Then the same checks on the nynorsk and English pages of
# tests/fixtures/valid/language-{nn,en} (built with --now 2019-11-30T12:00:00Z),
# and on tests/fixtures/valid/bundles-and-dependencies (a bundle's page, a
# dependant's page).
# Screenshots go to tests/browser/artifacts/ (git-ignored).
#
# usage: bash tests/browser/run.sh        (from any directory)
# env:   NEDETID_BIN=path  use this binary instead of `cargo build` + target/debug/nedetid
#        BROWSER_KEEP=1    keep the work folder (it is kept anyway on failure)
#
# Chromium comes from Debian (apt-get, once); the npm tools are installed,
# pinned by package-lock.json, into tests/browser/.deps/ (git-ignored); a
# stamp file keyed on the pins skips the install on later runs. No browser
# is downloaded by a test tool.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deps="$here/.deps"
artifacts="$here/artifacts"
now="2019-11-01T12:00:00Z"
chromium=/usr/bin/chromium

say() { printf 'browser: %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
source "$root/tests/lib.sh"

# --- 1. Chromium from Debian ---------------------------------------------------
if [[ ! -x "$chromium" ]]; then
    if [[ "$(id -u)" -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        say "$chromium is missing and this user can not install it (not root, no sudo)"
        exit 2
    fi
    say "installing Debian's chromium"
    "${as_root[@]}" apt-get update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends chromium >&2
fi
[[ -x "$chromium" ]] || { say "no $chromium after the install"; exit 2; }

# --- 2. pinned npm tools ---------------------------------------------------------
install_tools() {
    local stamp="$deps/stamp" key
    key="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1) node $(node --version)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then
        return
    fi
    say "installing playwright-core, axe-core and html-validate into ${deps#"$root"/}"
    rm -rf "$deps"
    mkdir -p "$deps"
    # npm ci wants package.json and the lock file where it installs.
    cp "$here/package.json" "$here/package-lock.json" "$deps/"
    npm ci --prefix "$deps" --no-audit --no-fund --ignore-scripts --loglevel=error >&2
    printf '%s\n' "$key" > "$stamp"
}
install_tools

# --- 3. the page -------------------------------------------------------------------
find_nedetid

make_work browser BROWSER_KEEP

(cd "$root" && "$bin" build --schedules tests/fixtures/page-2019 --out "$work/out" --now "$now") > "$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    say "nedetid build failed"
    exit 1
}
[[ -f "$work/out/index.html" ]] || { say "nedetid build wrote no index.html"; exit 1; }

# --- 4. the browser checks ----------------------------------------------------------
mkdir -p "$artifacts"
node "$here/check.mjs" \
    --site "$work/out" \
    --artifacts "$artifacts" \
    --profile "$work/profile" \
    --chromium "$chromium" \
    --root "$root" \
    --pages index.html,visma.html \
    --now-title "Test av nødstrømsaggregat" \
    --now-start 2019-11-02T23:00:00Z \
    --now-end 2019-11-03T23:00:00Z

# --- 5. the other languages -----------------------------------------------------------
# language, browser locale, copy button, what its status may say
for spec in "nn nn-NO Kopier kopiert|merkt" "en en-GB Copy copied|selected"; do
    read -r lang locale copy copied <<< "$spec"
    (cd "$root" && "$bin" build --schedules "tests/fixtures/valid/language-$lang" \
        --out "$work/out-$lang" --now 2019-11-30T12:00:00Z) > "$work/build-$lang.log" 2>&1 || {
        cat "$work/build-$lang.log" >&2
        say "nedetid build of language-$lang failed"
        exit 1
    }
    node "$here/check.mjs" \
        --site "$work/out-$lang" \
        --artifacts "$artifacts" \
        --profile "$work/profile-$lang" \
        --chromium "$chromium" \
        --root "$root" \
        --name "index-$lang" \
        --locale "$locale" \
        --copy "$copy" \
        --copied "$copied" \
        --pages index.html,gat.html
done

# --- 6. bundles: the index lists them first, and a bundle has its page -------------
(cd "$root" && "$bin" build --schedules tests/fixtures/valid/bundles-and-dependencies \
    --out "$work/out-bundles" --now "$(cat "$root/tests/interop/fixtures/bundles-and-dependencies/now")") \
    > "$work/build-bundles.log" 2>&1 || {
    cat "$work/build-bundles.log" >&2
    say "nedetid build of bundles-and-dependencies failed"
    exit 1
}
node "$here/check.mjs" \
    --site "$work/out-bundles" \
    --artifacts "$artifacts" \
    --profile "$work/profile-bundles" \
    --chromium "$chromium" \
    --root "$root" \
    --name index-bundles \
    --pages index.html,kontor.html,telefoni.html
