#!/usr/bin/env bash
# Serving suite: deploy/nginx/nedetid.conf in a real nginx and
# deploy/apache/nedetid.conf in a real Apache httpd.
#
# Builds the default schedules (`nedetid build --out TMP`, the clock as
# "now", like the nightly job) and serves TMP with Debian's nginx and
# Debian's Apache httpd, each started by this script on a free loopback
# port with its own config, pid file, logs and temp folders in a work
# folder (nginx as the current user; Apache refuses to serve as root, so
# as root its workers run as www-data). Both have gzip turned on for every
# type, so that the snippets have to keep .ics plain. Then, with curl, for
# each server:
#   - Content-Type of .ics, .atom, .json and index.html (with charset=utf-8);
#   - 200 with ETag and Last-Modified, then 304 on If-None-Match and on
#     If-Modified-Since (200 on another ETag);
#   - Cache-Control max-age at most 43200 s (the feeds' PT12H);
#   - .nedetid.stat, .nedetid.cache, .nedetid.parsed, .nedetid.lock and
#     .nedetid-XXXXXX.tmp give 404 or 403;
#   - .ics is never gzip-encoded even when the client asks for gzip (the
#     body is the file's bytes), while feeds.json is (gzip really is on);
#   - after an unchanged rebuild into the same folder (it writes nothing)
#     the ETag and Last-Modified are the same, and If-None-Match still 304.
# Both servers are stopped at the end, also on failure.
#
# usage: bash tests/serve/run.sh        (from any directory)
# env:   NEDETID_BIN=path  use this binary instead of `cargo build` + target/debug/nedetid
#        SERVE_KEEP=1      keep the work folder (it is kept anyway on failure)
#
# nginx, apache2 and curl come from Debian (apt-get, once, as root or
# through sudo).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nginx=/usr/sbin/nginx
apache=/usr/sbin/apache2
modules=/usr/lib/apache2/modules

say() { printf 'serve: %s\n' "$*" >&2; }
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$root/tests/lib.sh"

# --- 1. nginx, Apache and curl from Debian -----------------------------------------
missing=()
[[ -x "$nginx" ]] || missing+=(nginx)
[[ -x "$apache" ]] || missing+=(apache2)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]})); then
    if [[ "$(id -u)" -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        say "${missing[*]} missing and this user can not install it (not root, no sudo)"
        exit 2
    fi
    say "installing Debian's ${missing[*]}"
    "${as_root[@]}" apt-get update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    # Where the packages started system servers on port 80: this suite
    # needs none.
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        "${as_root[@]}" systemctl stop nginx apache2 >/dev/null 2>&1 || true
    fi
fi
[[ -x "$nginx" ]] || { say "no $nginx after the install"; exit 2; }
[[ -x "$apache" ]] || { say "no $apache after the install"; exit 2; }
say "$("$nginx" -v 2>&1)"
say "$("$apache" -v | head -n 1)"

# --- 2. a fresh build -----------------------------------------------------------------
find_nedetid
make_work serve SERVE_KEEP
out="$work/out"
(cd "$root" && "$bin" build --out "$out") > "$work/build1.log" 2>&1 || {
    cat "$work/build1.log" >&2
    say "nedetid build failed"
    exit 1
}
# The build's own dot files, as a running or killed build leaves them.
touch "$out/.nedetid.lock" "$out/.nedetid-a1B2c3.tmp"
for own in .nedetid.stat .nedetid.cache .nedetid.parsed; do
    [[ -f "$out/$own" ]] || { say "the build left no $own"; exit 1; }
done
# Apache gives a weak ETag (W/"...") to a file modified less than a second
# before the request; nedetid's files are served a second later at the
# earliest, as in real life.
sleep 1.1

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- 3. the servers -------------------------------------------------------------------
ngx="$work/nginx"
apa="$work/apache"
mkdir -p "$ngx/logs" "$ngx/tmp" "$apa"
nginx_cmd=("$nginx" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log")
apache_cmd=("$apache" -d "$apa" -f "$apa/httpd.conf")

stop_servers() {
    local rc=$?
    if [[ -f "$ngx/nginx.pid" ]]; then
        "${nginx_cmd[@]}" -s stop 2>/dev/null || kill "$(cat "$ngx/nginx.pid")" 2>/dev/null || true
    fi
    if [[ -f "$apa/httpd.pid" ]]; then
        "${apache_cmd[@]}" -k stop 2>/dev/null || kill "$(cat "$apa/httpd.pid")" 2>/dev/null || true
    fi
    if [[ $rc -ne 0 ]]; then
        for log in "$ngx/logs/error.log" "$apa/error.log"; do
            [[ -f "$log" ]] && sed "s|^|${log#"$work"/}: |" "$log" >&2
        done
    fi
    cleanup_work
}
trap stop_servers EXIT

# nginx, as the current user. As root it would run its workers as nobody,
# who can not read the work folder: as root then.
nginx_port="$(free_port)"
nginx_user=""
if [[ "$(id -u)" -eq 0 ]]; then
    nginx_user="user $(id -un) $(id -gn);"
fi
cat > "$ngx/nginx.conf" <<CONF
$nginx_user
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log $ngx/logs/access.log;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    # As a distribution's nginx.conf may have it, and more: gzip for every
    # type. The snippet must still keep .ics plain.
    gzip on;
    gzip_types *;
    gzip_min_length 1;
    server {
        listen 127.0.0.1:$nginx_port;
        server_name localhost;
        root $out;
        include $root/deploy/nginx/nedetid.conf;
    }
}
CONF
"${nginx_cmd[@]}" -t -q
"${nginx_cmd[@]}"

# Apache httpd. It refuses to serve as root: as root its workers run as
# www-data (made by the package), which must then reach the output folder
# (made 0755 by nedetid).
apache_port="$(free_port)"
apache_user=""
if [[ "$(id -u)" -eq 0 ]]; then
    apache_user="User www-data
Group www-data"
    chmod 0711 "$work"
fi
cat > "$apa/httpd.conf" <<CONF
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule mime_module $modules/mod_mime.so
LoadModule dir_module $modules/mod_dir.so
LoadModule headers_module $modules/mod_headers.so
LoadModule expires_module $modules/mod_expires.so
LoadModule env_module $modules/mod_env.so
LoadModule filter_module $modules/mod_filter.so
LoadModule deflate_module $modules/mod_deflate.so
$apache_user
ServerName localhost
Listen 127.0.0.1:$apache_port
PidFile $apa/httpd.pid
DefaultRuntimeDir $apa
Mutex file:$apa default
ErrorLog $apa/error.log
LogLevel warn
TypesConfig /etc/mime.types
StartServers 1
# As Debian's deflate.conf, and more: gzip for every type nedetid writes.
AddOutputFilterByType DEFLATE text/html text/calendar application/json
<Directory />
    Require all denied
    AllowOverride None
</Directory>
Define NEDETID_OUT $out
DocumentRoot \${NEDETID_OUT}
Include $root/deploy/apache/nedetid.conf
CONF
say "$("${apache_cmd[@]}" -t 2>&1)"
"${apache_cmd[@]}" -k start

servers=(nginx apache)
declare -A base=(
    [nginx]="http://127.0.0.1:$nginx_port"
    [apache]="http://127.0.0.1:$apache_port"
)
for server in "${servers[@]}"; do
    up=""
    for _ in $(seq 100); do
        if curl -fsS -o /dev/null "${base[$server]}/"; then
            up=1
            break
        fi 2>/dev/null
        sleep 0.1
    done
    [[ -n "$up" ]] || { say "$server does not answer on ${base[$server]}"; exit 1; }
    say "$server on ${base[$server]} serving $out"
done

# --- 4. the checks -------------------------------------------------------------------
failures=0
pass() { printf 'serve: ok    %-6s %s\n' "$server" "$*" >&2; }
fail() {
    printf 'serve: FAIL  %-6s %s\n' "$server" "$*" >&2
    failures=$((failures + 1))
}

# head_of PATH [curl args...]: the status line and headers, CR removed.
head_of() {
    local path="$1"
    shift
    curl -sS -o /dev/null -D - "$@" "${base[$server]}/$path" | tr -d '\r'
}
status_of() { head_of "$@" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p'; }
header_of() { # header_of NAME PATH [curl args...]
    local name="$1"
    shift
    head_of "$@" | sed -n "s/^$name: //Ip" | head -n 1
}
expect() { # expect WHAT GOT WANT
    if [[ "$2" == "$3" ]]; then
        pass "$1: ${2:-(none)}"
    else
        fail "$1: got '$2', want '${3:-(none)}'"
    fi
}

declare -A etag modified json_etag
for server in "${servers[@]}"; do
    expect "GET /all.ics Content-Type" "$(header_of Content-Type all.ics)" "text/calendar; charset=utf-8"
    expect "GET /visma.ics Content-Type" "$(header_of Content-Type visma.ics)" "text/calendar; charset=utf-8"
    expect "GET /all.atom Content-Type" "$(header_of Content-Type all.atom)" "application/atom+xml; charset=utf-8"
    expect "GET /visma.atom Content-Type" "$(header_of Content-Type visma.atom)" "application/atom+xml; charset=utf-8"
    expect "GET /feeds.json Content-Type" "$(header_of Content-Type feeds.json)" "application/json; charset=utf-8"
    expect "GET /manifest.json Content-Type" "$(header_of Content-Type manifest.json)" "application/json; charset=utf-8"
    # What the editors' YAML extension fetches through `$schema=<base-url>schema.json`.
    expect "GET /schema.json Content-Type" "$(header_of Content-Type schema.json)" "application/json; charset=utf-8"
    expect "GET /index.html Content-Type" "$(header_of Content-Type index.html)" "text/html; charset=utf-8"
    expect "GET / Content-Type" "$(header_of Content-Type "")" "text/html; charset=utf-8"

    for path in all.ics feeds.json index.html; do
        cc="$(header_of Cache-Control "$path")"
        age="$(sed -n 's/.*max-age=\([0-9]*\).*/\1/p' <<<"$cc")"
        if [[ -n "$age" && "$age" -le 43200 ]]; then
            pass "GET /$path Cache-Control: $cc (<= 43200 s)"
        else
            fail "GET /$path Cache-Control: '$cc' (want max-age <= 43200)"
        fi
    done

    expect "GET /all.ics" "$(status_of all.ics)" 200
    etag[$server]="$(header_of ETag all.ics)"
    modified[$server]="$(header_of Last-Modified all.ics)"
    json_etag[$server]="$(header_of ETag feeds.json)"
    e="${etag[$server]}"
    m="${modified[$server]}"
    j="${json_etag[$server]}"
    if [[ -n "$e" ]]; then pass "ETag: $e"; else fail "no ETag"; fi
    if [[ -n "$m" ]]; then pass "Last-Modified: $m"; else fail "no Last-Modified"; fi
    expect "GET /all.ics If-None-Match: $e" "$(status_of all.ics -H "If-None-Match: $e")" 304
    expect "GET /all.ics If-Modified-Since: $m" "$(status_of all.ics -H "If-Modified-Since: $m")" 304
    expect "GET /all.ics If-None-Match: \"other\"" "$(status_of all.ics -H 'If-None-Match: "other"')" 200
    expect "GET /feeds.json If-None-Match: $j" "$(status_of feeds.json -H "If-None-Match: $j")" 304

    for path in .nedetid.stat .nedetid.cache .nedetid.parsed .nedetid.lock .nedetid-a1B2c3.tmp; do
        code="$(status_of "$path")"
        if [[ "$code" == 404 || "$code" == 403 ]]; then
            pass "GET /$path: $code"
        else
            fail "GET /$path: $code (want 404 or 403)"
        fi
    done

    for path in all.ics visma.ics; do
        expect "GET /$path Accept-Encoding: gzip, deflate, br -> Content-Encoding" \
            "$(header_of Content-Encoding "$path" -H 'Accept-Encoding: gzip, deflate, br')" ""
    done
    # Without --compressed curl does not decode: the body must be the file.
    if curl -sS -H 'Accept-Encoding: gzip' "${base[$server]}/all.ics" | cmp -s - "$out/all.ics"; then
        pass "GET /all.ics Accept-Encoding: gzip -> the file's bytes, uncompressed"
    else
        fail "GET /all.ics Accept-Encoding: gzip -> not the file's bytes"
    fi
    expect "GET /feeds.json Accept-Encoding: gzip -> Content-Encoding (gzip is on elsewhere)" \
        "$(header_of Content-Encoding feeds.json -H 'Accept-Encoding: gzip')" "gzip"
done

# An unchanged rebuild into the same folder writes nothing: same ETag.
sleep 1.1 # a rewrite within the same second could keep Last-Modified
(cd "$root" && "$bin" build --out "$out") > "$work/build2.log" 2>&1 || {
    cat "$work/build2.log" >&2
    say "the second nedetid build failed"
    exit 1
}
say "second build: $(tr '\n' ' ' < "$work/build2.log")"
for server in "${servers[@]}"; do
    expect "ETag of /all.ics after an unchanged rebuild" "$(header_of ETag all.ics)" "${etag[$server]}"
    expect "Last-Modified of /all.ics after an unchanged rebuild" "$(header_of Last-Modified all.ics)" "${modified[$server]}"
    expect "GET /all.ics If-None-Match after the rebuild" "$(status_of all.ics -H "If-None-Match: ${etag[$server]}")" 304
    expect "ETag of /feeds.json after an unchanged rebuild" "$(header_of ETag feeds.json)" "${json_etag[$server]}"
done

if ((failures)); then
    say "$failures check(s) failed"
    exit 1
fi
say "all checks passed"
