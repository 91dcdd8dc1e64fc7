#!/usr/bin/env bash
# The nightly job around `nedetid build`, for cron: every line of the log
# starts with an ISO 8601 time; start, end and exit code are logged; on
# failure it also says so on stderr (cron mails stderr and stdout to
# MAILTO) and that the previous publication is still served.
#
# usage: nedetid-nightly.sh SCHEDULES OUT [LOG]
#   LOG defaults to /var/log/nedetid/nightly.log (a folder the job's user
#   can write: see deploy/cron/nedetid).
# env:   NEDETID=path   the nedetid binary (default: nedetid on PATH)
# exit:  nedetid's exit code (README: Exit codes); 2 for bad usage of this
#        script or a log it can not write.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 SCHEDULES OUT [LOG]" >&2
    exit 2
fi
schedules="$1"
out="$2"
log="${3:-/var/log/nedetid/nightly.log}"
nedetid="${NEDETID:-nedetid}"

now() { date +%Y-%m-%dT%H:%M:%S%z; }
# Prefixes each line of stdin with the time it was read.
stamp() {
    local line
    while IFS= read -r line || [[ -n "$line" ]]; do
        printf '%s %s\n' "$(now)" "$line"
    done
}
say() { printf '%s\n' "$*" | stamp >>"$log"; }

if ! touch "$log" 2>/dev/null; then
    echo "$(now) nedetid-nightly: cannot write the log $log; nothing was run" >&2
    exit 2
fi

started=$SECONDS
say "start: $nedetid build --schedules $schedules --out $out (pid $$, user $(id -un))"
set +e
"$nedetid" build --schedules "$schedules" --out "$out" 2>&1 | stamp >>"$log"
status=("${PIPESTATUS[@]}")
set -e
rc="${status[0]}"
if [[ "${status[1]}" -ne 0 && "$rc" -eq 0 ]]; then
    rc=2 # the log could not be written
fi
took=$((SECONDS - started))
if [[ "$rc" -eq 0 ]]; then
    say "end: exit 0 after ${took} s"
else
    case "$rc" in
    1) why="the schedules are invalid" ;;
    3) why="a file or folder could not be read or written, or another build held the folder" ;;
    *) why="see the lines above" ;;
    esac
    msg="end: FAILED with exit $rc after ${took} s ($why); nothing new was published: the previous publication in $out is kept and still served"
    say "$msg"
    {
        echo "$(now) nedetid-nightly: $msg"
        echo "The log, $log, ends with:"
        tail -n 40 "$log"
    } >&2
fi
exit "$rc"
