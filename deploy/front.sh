#!/usr/bin/env bash
# deploy/front.sh: gunicorn in the production shape behind nginx (deploy/nginx/newsroom.conf), on loopback,
# measured. The article page through nginx's micro-cache against the same bytes served by the same nginx as a
# file; the target is at least 0.8 of the file's requests per second (it exits 1 below that, page cache on).
#
#   deploy/front.sh [--seconds N] [--connections N] [--rounds N] [--port P] [--page-cache off] [--access-log]
#
#   --seconds N       seconds of load per run (default 10, at most 120)
#   --connections N   wrk connections (default 16)
#   --rounds N        alternating runs of each (default 3); the median of the rounds' ratios is the result
#   --port P          nginx listens on 127.0.0.1:P, gunicorn on P+1 (default 8300)
#   --page-cache off  the app with PAGE_CACHE=off: it no longer says `public`, so nginx keeps nothing either and
#                     this measures the app through nginx
#   --access-log      keep the pages' buffered access log (off by default here: the file side logs nothing, as
#                     newsroom.conf's static and media locations do not)
#
# Database: DATABASE_URL if set (migrated, and given the demo content if it has no article), else a SQLite
# file of its own under the temporary folder, with the demo content (manage.py seed_demo, about 30 s).
# Everything it starts runs on 127.0.0.1 under one temporary folder and is stopped on the way out, Ctrl-C
# included (FRONT_KEEP=1 keeps the folder, its logs and rendered configuration). Needs nginx (Debian's) and wrk: apt-get install nginx wrk.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
# wrk reports through this Lua hook: one line of requests/s, p50/p99 in ms, errors, requests and bytes.
WRK_REPORT='function done(summary, latency, requests)
  local e = summary.errors
  local n = summary.requests
  io.write(string.format("BENCH rps=%.1f p50=%.2fms p99=%.2fms non2xx=%d socket_errors=%d requests=%d\n",
    n / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, n))
end'
SECONDS_PER_RUN=10
CONNS=16
ROUNDS=3
PORT=8300
PAGE_CACHE_VALUE=on
TARGET=0.8
ACCESS_LOG=0
BROTLI_MODULES=(/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so
  /usr/lib/nginx/modules/ngx_http_brotli_static_module.so)

usage() {
  sed -n '6,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
whole() { [[ "$1" =~ ^[0-9]+$ && "$1" -ge "$2" && "$1" -le "$3" ]] || usage; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) whole "${2:-}" 1 120; SECONDS_PER_RUN=$2; shift 2 ;;
    --connections) whole "${2:-}" 1 512; CONNS=$2; shift 2 ;;
    --rounds) whole "${2:-}" 1 30; ROUNDS=$2; shift 2 ;;
    --port) whole "${2:-}" 1024 65534; PORT=$2; shift 2 ;;
    --page-cache) [[ "${2:-}" =~ ^(on|off)$ ]] || usage; PAGE_CACHE_VALUE=$2; shift 2 ;;
    --access-log) ACCESS_LOG=1; shift ;;
    -h | --help) usage ;;
    *) usage ;;
  esac
done
APP_PORT=$((PORT + 1))

command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }
[ -x "$PY" ] || { echo "no Python at $PY (make run creates .venv; or set PYTHON)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/newsroom-front.XXXXXX)
printf '%s\n' "$WRK_REPORT" >"$TMP/report.lua"
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # gunicorn's graceful timeout is 5 s; nginx stops at once.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${FRONT_KEEP:-0}" = 1 ]; then echo "front: kept $TMP" >&2; else rm -rf "$TMP"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$PORT" "$APP_PORT"; do
  if in_use "$port"; then echo "something already listens on 127.0.0.1:$port; choose another --port" >&2; exit 1; fi
done

# The production shape (as `make serve`), named by the address readers reach: nginx's.
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$PORT" SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
  SECURE_HSTS_SECONDS=0 SERVE_MEDIA=0 MEDIA_ROOT="$TMP/media" PAGE_CACHE="$PAGE_CACHE_VALUE"
export DATABASE_URL=${DATABASE_URL:-sqlite:///$TMP/db.sqlite3}
# settings.py reads SECRET_KEY from .env when there is one; a throwaway key otherwise.
if [ -z "${SECRET_KEY:-}" ] && ! grep -qs '^SECRET_KEY=.' "$ROOT/.env"; then
  SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
  export SECRET_KEY
fi
mkdir -p "$TMP/media/bench" "$TMP/conf" "$TMP/logs" "$TMP/cache" "$TMP/temp"

manage() { (cd "$ROOT" && timeout 300 "$PY" manage.py "$@"); }
say() { echo "front: $*" >&2; }

say "database ${DATABASE_URL%%://*}; migrating"
manage migrate --no-input -v 0
if manage shell -v 0 -c 'import sys; from articles.models import Article; sys.exit(0 if Article.objects.exists() else 1)'; then
  say "the database has content"
else
  say "loading the demo content (manage.py seed_demo)"
  manage seed_demo >/dev/null
fi
manage collectstatic --no-input -v 0
ARTICLE=$(manage shell -v 0 -c 'from benchmarks.pages import pick_urls; print(pick_urls(["article"])["article"])')

say "gunicorn on 127.0.0.1:$APP_PORT (2 sync workers, PAGE_CACHE=$PAGE_CACHE_VALUE)"
(cd "$ROOT" && exec "$PY" -m gunicorn newsroom.wsgi --bind "127.0.0.1:$APP_PORT" --workers 2 --graceful-timeout 5 \
  >"$TMP/logs/gunicorn.log" 2>&1) &
PIDS+=($!)

# Started as root, nginx's workers run as nobody (no `user` directive): they get the folder to read and the
# cache and temporary files to write. As any other user they are that user.
USER_LINE=""
if [ "$(id -u)" = 0 ]; then
  USER_LINE="user nobody $(id -gn nobody);"
  chmod 0755 "$TMP"
  chown -R nobody "$TMP/cache" "$TMP/temp"
fi
LOAD_MODULES=""
SNIPPETS="$TMP/conf"
if [ -f "${BROTLI_MODULES[0]}" ] && [ -f "${BROTLI_MODULES[1]}" ]; then
  LOAD_MODULES="load_module ${BROTLI_MODULES[0]}; load_module ${BROTLI_MODULES[1]};"
  cp "$ROOT/deploy/nginx/newsroom-brotli.conf" "$TMP/conf/"
fi
LOG_OFF=()
[ "$ACCESS_LOG" = 1 ] || LOG_OFF=(-e 's|^    access_log @LOG_DIR@/.*;$|    access_log off;|')
sed "${LOG_OFF[@]}" -e "s|@UPSTREAM@|127.0.0.1:$APP_PORT|g" -e "s|@LISTEN@|127.0.0.1:$PORT|g" -e "s|@SERVER_NAME@|127.0.0.1|g" \
  -e "s|@STATIC_ROOT@|$ROOT/staticfiles|g" -e "s|@MEDIA_ROOT@|$TMP/media|g" -e "s|@CACHE_DIR@|$TMP/cache|g" \
  -e "s|@LOG_DIR@|$TMP/logs|g" -e "s|@SNIPPETS@|$SNIPPETS|g" \
  "$ROOT/deploy/nginx/newsroom.conf" >"$TMP/conf/newsroom.conf"
sed -e "s|@PREFIX@|$TMP|g" -e "s|@LOAD_MODULES@|$LOAD_MODULES|g" -e "s|@USER@|$USER_LINE|g" "$ROOT/deploy/nginx/loopback.conf" >"$TMP/conf/nginx.conf"
NGINX=(nginx -p "$TMP" -e "$TMP/logs/error.log" -c "$TMP/conf/nginx.conf")
"${NGINX[@]}" -t -q
say "nginx on 127.0.0.1:$PORT${LOAD_MODULES:+ (with brotli)}"
"${NGINX[@]}" -g 'daemon off;' &
PIDS+=($!)

wait_for() {
  for _ in $(seq 100); do
    curl -s -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.2
  done
  echo "nothing answered at $1 within 20 s" >&2
  tail -n 30 "$TMP/logs/"*.log >&2
  return 1
}
wait_for "http://127.0.0.1:$APP_PORT/"
wait_for "http://127.0.0.1:$PORT/"

PAGE_URL="http://127.0.0.1:$PORT$ARTICLE"
FILE_URL="http://127.0.0.1:$PORT/media/bench/article.html"
code=$(curl -s --max-time 10 -o "$TMP/media/bench/article.html" -w '%{http_code}' "$PAGE_URL" || true)
if [ "$code" != 200 ]; then
  echo "GET $PAGE_URL through nginx answered ${code:-nothing}, not 200" >&2
  tail -n 30 "$TMP/logs/gunicorn.log" "$TMP/logs/error.log" >&2
  exit 1
fi
status=$(curl -s -o /dev/null --max-time 10 -w '%header{x-cache-status}' "$PAGE_URL" 2>/dev/null || true)
cmp -s "$TMP/media/bench/article.html" <(curl -s --max-time 10 "$FILE_URL") \
  || { echo "the file served at $FILE_URL is not the article's bytes" >&2; exit 1; }
say "article $ARTICLE: $(wc -c <"$TMP/media/bench/article.html") bytes; second request X-Cache-Status: ${status:-none}"

# nginx's workers' CPU time (user + system, in clock ticks) from /proc: what a request costs nginx itself,
# the figure other programs on a shared machine disturb least.
NGINX_MASTER=$(cat "$TMP/nginx.pid")
TICK=$(getconf CLK_TCK)
nginx_ticks() {
  local total=0 pid
  for pid in $(pgrep -P "$NGINX_MASTER"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
# One run: wrk's line, with nginx's CPU microseconds per request added.
bench() {
  local before line after
  before=$(nginx_ticks)
  line=$(load "$1" "$SECONDS_PER_RUN" "$CONNS")
  after=$(nginx_ticks)
  awk -v l="$line" -v t=$((after - before)) -v hz="$TICK" \
    'BEGIN { match(l, /requests=[0-9]+/); n = substr(l, RSTART + 9, RLENGTH - 9); printf "%s cpu_us=%.1f\n", l, t * 1e6 / hz / n }'
}
# load URL SECONDS CONNECTIONS: wrk on one loopback URL, its one line (refusing a URL that does not answer 2xx).
load() {
  local status out
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1" || true)
  [[ "$status" =~ ^2 ]] || { echo "GET $1 answered ${status:-nothing}; not measuring it" >&2; return 1; }
  out=$(wrk -t2 -c"$3" -d"$2s" --timeout 5s -s "$TMP/report.lua" "$1" 2>&1) || { echo "$out" >&2; return 1; }
  grep '^BENCH ' <<<"$out" | sed 's/^BENCH //'
}
field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
# Warm both up (nginx's workers, the page cache, wrk), then alternate so that other load on the machine
# falls on both sides alike.
load "$FILE_URL" 2 "$CONNS" >/dev/null
load "$PAGE_URL" 2 "$CONNS" >/dev/null
file_lines=() page_lines=()
for round in $(seq "$ROUNDS"); do
  file_lines+=("$(bench "$FILE_URL")")
  say "round $round file:    ${file_lines[-1]/ url=* duration=*s connections=* threads=[0-9]*/}"
  page_lines+=("$(bench "$PAGE_URL")")
  say "round $round article: ${page_lines[-1]/ url=* duration=*s connections=* threads=[0-9]*/}"
done
mean() {
  local name=$1
  shift
  local line
  for line in "$@"; do field "$name" "$line"; done | awk '{ s += $1 } END { printf "%.2f", s / NR }'
}
file_cpu=$(mean cpu_us "${file_lines[@]}")
page_cpu=$(mean cpu_us "${page_lines[@]}")
file_rps=$(mean rps "${file_lines[@]}")
page_rps=$(mean rps "${page_lines[@]}")
# Each round's article run against the file run just before it; the median of those ratios is the least
# touched by other programs' bursts on a shared machine.
ratios=()
for i in "${!file_lines[@]}"; do
  ratios+=("$(awk -v a="$(field rps "${page_lines[$i]}")" -v b="$(field rps "${file_lines[$i]}")" \
    'BEGIN { printf "%.3f", a / b }')")
done
ratio=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : sprintf("%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
for line in "${file_lines[@]}" "${page_lines[@]}"; do
  if [ "$(field non2xx "$line")" != 0 ] || [ "$(field socket_errors "$line")" != 0 ]; then
    echo "errors during a run: $line" >&2
    exit 1
  fi
done
echo "static file:        rps=$file_rps p50=$(mean p50 "${file_lines[@]}")ms p99=$(mean p99 "${file_lines[@]}")ms" \
  "nginx_cpu=${file_cpu}us/request"
echo "article via nginx:  rps=$page_rps p50=$(mean p50 "${page_lines[@]}")ms p99=$(mean p99 "${page_lines[@]}")ms" \
  "nginx_cpu=${page_cpu}us/request (X-Cache-Status ${status:-none}, PAGE_CACHE=$PAGE_CACHE_VALUE)"
echo "cpu_ratio=$(awk -v a="$file_cpu" -v b="$page_cpu" 'BEGIN { printf "%.3f", a / b }')" \
  "(nginx's CPU per file request / per article request: the throughput ratio when nginx has the CPU to itself)"
echo "ratio=$ratio (article behind nginx / static file of the same bytes, median of rounds ${ratios[*]};" \
  "target $TARGET) access_log=$([ "$ACCESS_LOG" = 1 ] && echo buffered || echo off) seconds=$SECONDS_PER_RUN connections=$CONNS rounds=$ROUNDS nproc=$(nproc) load=$(cut -d' ' -f1 /proc/loadavg)"
# The target is the micro-cache's; with PAGE_CACHE=off nginx keeps nothing, and the figures are the app's.
if [ "$PAGE_CACHE_VALUE" = on ]; then
  awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r >= t) }' || { echo "below the target of $TARGET" >&2; exit 1; }
fi
