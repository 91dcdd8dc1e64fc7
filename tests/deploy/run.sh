#!/usr/bin/env bash
# Deploy suite: the nightly-job recipes in deploy/.
#
#   - deploy/nedetid-nightly.sh (the cron wrapper) with the real binary:
#     a good build exits 0, prints nothing (cron mails nothing), and logs
#     start and end lines, every line starting with an ISO 8601 time; a
#     build of invalid schedules into the same folder exits 1, logs and
#     prints on stderr that the previous publication was kept, and the
#     folder is byte for byte as before; an unwritable log exits 2.
#   - deploy/cron/nedetid: every job line has the seven fields of
#     /etc/cron.d (with the user), MAILTO is set.
#   - deploy/systemd/*: `systemd-analyze verify` of the service, the timer
#     and the failure unit's instance (the binary's path pointed at the
#     fresh build: verify checks that ExecStart exists), and a broken copy
#     of the timer must fail it (the check is not vacuous). Falls back to
#     `--man=no` where verify can not check man pages.
#   - deploy/iis/web.config and deploy/windows/nedetid-task.xml are
#     well-formed XML (python's parser) with the elements they need.
#   - shellcheck of the repository's shell scripts, when shellcheck is there.
# PowerShell (deploy/windows/nedetid-nightly.ps1), Task Scheduler and IIS
# are not run: none of them exists on Linux.
#
# usage: bash tests/deploy/run.sh        (from any directory)
# env:   NEDETID_BIN=path  use this binary instead of `cargo build` + target/debug/nedetid
#        DEPLOY_KEEP=1     keep the work folder (it is kept anyway on failure)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deploy="$root/deploy"

say() { printf 'deploy: %s\n' "$*" >&2; }
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$root/tests/lib.sh"

failures=0
pass() { printf 'deploy: ok    %s\n' "$*" >&2; }
fail() {
    printf 'deploy: FAIL  %s\n' "$*" >&2
    failures=$((failures + 1))
}

find_nedetid
make_work deploy DEPLOY_KEEP

# --- 1. the cron wrapper ------------------------------------------------------------
wrapper="$deploy/nedetid-nightly.sh"
out="$work/www"
log="$work/log/nightly.log"
mkdir -p "$work/log"
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4} '

rc=0
NEDETID="$bin" "$wrapper" "$root/schedules" "$out" "$log" >"$work/ok.stdout" 2>"$work/ok.stderr" || rc=$?
if [[ $rc -eq 0 ]]; then pass "wrapper, good schedules: exit 0"; else fail "wrapper, good schedules: exit $rc"; fi
if [[ ! -s "$work/ok.stdout" && ! -s "$work/ok.stderr" ]]; then
    pass "wrapper, good schedules: nothing on stdout or stderr (cron mails nothing)"
else
    fail "wrapper, good schedules: printed $(cat "$work/ok.stdout" "$work/ok.stderr")"
fi
if [[ -f "$out/all.ics" ]]; then pass "wrapper, good schedules: published all.ics"; else fail "wrapper: no all.ics"; fi
snapshot() { (cd "$out" && find . -type f ! -name '.nedetid.*' -print0 | sort -z | xargs -0 sha256sum); }
before="$(snapshot)"

bad="$root/tests/fixtures/invalid/unknown-key"
rc=0
NEDETID="$bin" "$wrapper" "$bad" "$out" "$log" >"$work/bad.stdout" 2>"$work/bad.stderr" || rc=$?
if [[ $rc -eq 1 ]]; then pass "wrapper, invalid schedules: exit 1"; else fail "wrapper, invalid schedules: exit $rc (want 1)"; fi
if grep -q 'previous publication in .* is kept' "$work/bad.stderr"; then
    pass "wrapper, invalid schedules: stderr says: $(head -n 1 "$work/bad.stderr" | cut -c1-160)..."
else
    fail "wrapper, invalid schedules: stderr does not say the previous publication was kept"
fi
if [[ "$(snapshot)" == "$before" ]]; then
    pass "wrapper, invalid schedules: the published files are unchanged"
else
    fail "wrapper, invalid schedules: the published files changed"
fi

if lines="$(grep -Evc "$iso" "$log")"; then :; fi
if [[ "${lines:-0}" -eq 0 ]]; then
    pass "log: all $(wc -l <"$log") lines start with an ISO 8601 time"
else
    fail "log: $lines line(s) without a time"
fi
for want in 'start: .* build --schedules' 'end: exit 0 after' 'end: FAILED with exit 1 .*previous publication'; do
    if grep -Eq "$iso$want" "$log"; then pass "log has: $want"; else fail "log lacks: $want"; fi
done
say "the log:"
sed 's/^/    /' "$log" | cut -c1-200 >&2

rc=0
NEDETID="$bin" "$wrapper" "$root/schedules" "$out" "$work/no/such/folder/log" 2>/dev/null || rc=$?
if [[ $rc -eq 2 ]]; then pass "wrapper, unwritable log: exit 2"; else fail "wrapper, unwritable log: exit $rc (want 2)"; fi

# --- 2. the cron.d file ---------------------------------------------------------------
cron="$deploy/cron/nedetid"
bad_lines="$(grep -Ev '^\s*(#|$)|^[A-Z_]+=' "$cron" | awk 'NF < 7 || $6 != "nedetid" || $7 !~ /^\// { print }')"
jobs="$(grep -Evc '^\s*(#|$)|^[A-Z_]+=' "$cron")"
if [[ -z "$bad_lines" && "$jobs" -ge 1 ]]; then
    pass "cron.d: $jobs job line(s) with minute hour dom month dow user /command"
else
    fail "cron.d: bad job lines: $bad_lines"
fi
if grep -q '^MAILTO=' "$cron"; then pass "cron.d: MAILTO set"; else fail "cron.d: no MAILTO"; fi
if grep -q 'nedetid-nightly.sh' "$cron"; then pass "cron.d: runs the wrapper"; else fail "cron.d: does not run the wrapper"; fi

# --- 3. systemd units -----------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        say "systemd-analyze missing and this user can not install it (not root, no sudo)"
        exit 2
    fi
    say "installing Debian's systemd (for systemd-analyze)"
    "${as_root[@]}" apt-get update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends systemd >&2
fi
say "$(systemd-analyze --version | head -n 1)"
units="$work/units"
mkdir -p "$units"
cp "$deploy/systemd/"* "$units/"
sed -i "s|/usr/local/bin/nedetid |$bin |" "$units/nedetid.service"
# The instance OnFailure= starts (%n = nedetid.service).
cp "$units/nedetid-failure@.service" "$units/nedetid-failure@nedetid.service.service"
to_verify=("$units/nedetid.service" "$units/nedetid.timer" "$units/nedetid-failure@nedetid.service.service")
man=()
if ! systemd-analyze verify "${to_verify[@]}" >"$work/verify.log" 2>&1; then
    # Where man pages are missing (slim images), verify fails on
    # Documentation=: run what it can.
    if systemd-analyze verify --man=no "${to_verify[@]}" >"$work/verify.log" 2>&1; then
        man=(--man=no)
        say "systemd-analyze verify passes only with --man=no here"
    fi
fi
if systemd-analyze verify "${man[@]}" "${to_verify[@]}" >"$work/verify.log" 2>&1; then
    pass "systemd-analyze verify ${man[*]} nedetid.service nedetid.timer nedetid-failure@nedetid.service.service: no findings${man:+ (man pages not checked)}"
    [[ -s "$work/verify.log" ]] && sed 's/^/    /' "$work/verify.log" >&2
else
    fail "systemd-analyze verify:"
    sed 's/^/    /' "$work/verify.log" >&2
fi
sed -i 's/^OnCalendar=.*/OnCalendar=*-*-* 25:61/' "$units/nedetid.timer"
if systemd-analyze verify "${man[@]}" "$units/nedetid.timer" >/dev/null 2>&1; then
    fail "systemd-analyze verify accepts a broken timer: the check proves nothing here"
else
    pass "systemd-analyze verify rejects a broken copy of the timer"
fi
when="$(systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$deploy/systemd/nedetid.timer")" | sed -n 's/^ *Normalized form: //p')"
pass "OnCalendar normalized: $when"
if grep -q '^OnFailure=nedetid-failure@%n.service' "$deploy/systemd/nedetid.service"; then
    pass "nedetid.service has OnFailure=nedetid-failure@%n.service"
else
    fail "nedetid.service has no OnFailure="
fi

# --- 4. XML ---------------------------------------------------------------------------
xml_check() { # xml_check FILE ROOT-TAG NEEDED-TAG...
    local file="$1"
    shift
    if msg="$(python3 - "$file" "$@" 2>&1 <<'PY'
import sys
import xml.etree.ElementTree as ET
path, root_tag, *needed = sys.argv[1:]
tree = ET.parse(path)
root = tree.getroot()
local = lambda tag: tag.rsplit('}', 1)[-1]
if local(root.tag) != root_tag:
    sys.exit(f"root element {local(root.tag)}, want {root_tag}")
tags = {local(e.tag) for e in root.iter()}
missing = [t for t in needed if t not in tags]
if missing:
    sys.exit(f"missing elements: {', '.join(missing)}")
print(f"{sum(1 for _ in root.iter())} elements")
PY
)"; then
        pass "${file#"$root"/}: well-formed XML, <$1>, $msg"
    else
        fail "${file#"$root"/}: $msg"
    fi
}
xml_check "$deploy/iis/web.config" configuration staticContent mimeMap clientCache urlCompression requestFiltering
xml_check "$deploy/windows/nedetid-task.xml" Task CalendarTrigger Principal Exec Command Arguments
if grep -q 'nedetid-nightly.ps1' "$deploy/windows/nedetid-task.xml"; then
    pass "the task runs nedetid-nightly.ps1"
else
    fail "the task does not run nedetid-nightly.ps1"
fi

# --- 5. shellcheck ---------------------------------------------------------------------
if command -v shellcheck >/dev/null 2>&1; then
    scripts=(.ci/run .ci/release deploy/nedetid-nightly.sh tests/serve/run.sh tests/deploy/run.sh tests/schema/run.sh tests/atom/run.sh)
    if (cd "$root" && shellcheck -x "${scripts[@]}") >"$work/shellcheck.log" 2>&1; then
        pass "shellcheck ${scripts[*]}: clean"
    else
        fail "shellcheck:"
        cat "$work/shellcheck.log" >&2
    fi
else
    say "shellcheck not installed: skipped"
fi

if ((failures)); then
    say "$failures check(s) failed"
    exit 1
fi
say "all checks passed"
