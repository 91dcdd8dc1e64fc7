# Shared by tests/interop/run.sh and tests/browser/run.sh (sourced; they set
# `root` and `say` first).

# Sets `bin` to the nedetid binary: $NEDETID_BIN, or a fresh debug build.
find_nedetid() {
    if [[ -n "${NEDETID_BIN:-}" ]]; then
        bin="$NEDETID_BIN"
    else
        (cd "$root" && cargo build --quiet)
        bin="$root/target/debug/nedetid"
    fi
    [[ -x "$bin" ]] || { say "no nedetid binary at $bin"; exit 2; }
}

# make_work NAME KEEP: sets `work` to a new temporary folder, removed at exit
# unless the run failed or the variable named KEEP is set.
make_work() {
    work="$(mktemp -d "${TMPDIR:-/tmp}/nedetid-$1.XXXXXX")"
    keep_var="$2"
    trap cleanup_work EXIT
}

cleanup_work() {
    local rc=$?
    if [[ $rc -eq 0 && -z "${!keep_var:-}" ]]; then
        rm -rf "$work"
    else
        say "work folder kept: $work"
    fi
}
