#!/usr/bin/env bash
# Measures, in one run and side by side: the cold path (fresh JVM to first status) of this function
# against the same function with SDK defaults and an empty JVM; init and first-invoke durations; the
# deployment artifact's size; and the warm per-invocation cost and allocation. Prints a Markdown table.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bench.sh [--runs N]

  --runs N   cold starts per variant, interleaved; the table shows medians (default 7, at least 5)

Builds with `sam build`, starts moto_server on 127.0.0.1, and measures against it. Calls no AWS endpoint.
USAGE
}

runs=7
while (( $# > 0 )); do
  case "$1" in
    --runs) [[ $# -ge 2 ]] || { echo "--runs needs a value" >&2; exit 2; }; runs=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done
if [[ ! "$runs" =~ ^[0-9]+$ ]] || (( runs < 5 )); then
  echo "--runs must be 5 or more" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/lib/toolchain.sh
source "$here/lib/toolchain.sh"
# shellcheck source=scripts/lib/moto.sh
source "$here/lib/moto.sh"
cd "$root"

use_jdk25
need_maven
need_moto
need_aws_cli
need_curl

echo "building: sam build, and the benchmark's own classes" >&2
sam_build --cached >/dev/null
mvn -B -q -ntp -DskipTests test-compile >&2
artifact="$root/.aws-sam/build/MigrationFunction"
defaults_jars=$(mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout \
  | tr ':' '\n' | grep -E '/(apache-client|httpclient|httpcore|commons-logging|commons-codec)/' | paste -sd: -)
# The in-process invoker (LocalInvoke) and the SDK-defaults variant live in the test classes, never in the artifact.
ours_cp="$artifact:$artifact/lib/*:$root/target/test-classes"
defaults_cp="$artifact:$artifact/lib/*:$defaults_jars:$root/target/test-classes"
handler=$(sed -n 's/^ *Handler: *\([^ ]*\).*/\1/p' template.yaml | head -n 1)

work=$(mktemp -d)
MOTO_PID=''
# shellcheck disable=SC2317 # called by the trap
cleanup() { [[ -z "$MOTO_PID" ]] || kill "$MOTO_PID" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
start_moto "$work"
create_world '[{"name":"app","image":"app","essential":true,"memory":512}]'
export ACCOUNT_ID=123456789012 CLUSTER=migrations SUBNETS=$SUBNET SECURITY_GROUPS=$SECURITY_GROUP CONTAINER_NAME=app \
  MIGRATION_COMMAND='["alembic","upgrade","head"]' ALLOWED_FAMILIES=app TABLE_NAME=$RUN_TABLE

# cold RUN VARIANT CLASSPATH HANDLER JVM_FLAGS...: one fresh JVM from start to first status; appends
# "wall_ms init_ms invoke_ms rss_mb" to $work/VARIANT and stops the task it started.
cold() {
  local variant=$1 classpath=$2 handler_class=$3 start end report status task
  shift 3
  sed "s|arn:aws:ecs:us-east-1:123456789012:task-definition/app:42|$TASK_DEFINITION|; s|gh-7301122334-1|bench-$variant-$RANDOM|" \
    events/migration-with-correlation-id.json >"$work/event.json"
  start=$(date +%s%N)
  status=$("$JAVA_HOME/bin/java" "$@" -cp "$classpath" dev.ecsmigrate.local.LocalInvoke "$handler_class" "$work/event.json" 2>"$work/stderr")
  end=$(date +%s%N)
  [[ "$status" == *'"status":"STARTED"'* ]] || { echo "$variant did not start a task: $status $(cat "$work/stderr")" >&2; exit 1; }
  report=$(grep '^REPORT' "$work/stderr")
  printf '%d %s %s %s\n' $(( (end - start) / 1000000 )) \
    "$(sed -n 's/.*Init Duration: \([0-9.]*\) ms.*/\1/p' <<<"$report")" \
    "$(sed -n 's/.*\tDuration: \([0-9.]*\) ms.*/\1/p' <<<"$report")" \
    "$(sed -n 's/.*Max Memory Used: \([0-9]*\) MB.*/\1/p' <<<"$report")" >>"$work/$variant"
  task=$(sed -n 's/.*"task_arn":"\([^"]*\)".*/\1/p' <<<"$status")
  aws ecs stop-task --cluster migrations --task "$task" >/dev/null
  # Each cold start takes a free lock, as a first migration does: the take-over path is not what is measured.
  aws dynamodb delete-item --table-name "$RUN_TABLE" --key '{"id":{"S":"lock#migrations#app"}}'
}

empty_jvm() {
  local start end
  start=$(date +%s%N)
  "$JAVA_HOME/bin/java" "${runtime_flags[@]}" -version >/dev/null 2>&1
  end=$(date +%s%N)
  printf '%d - - -\n' $(( (end - start) / 1000000 )) >>"$work/empty"
}

# Both variants run with the flags the java25 runtime gives an on-demand cold start by itself: the serial GC
# (under 2 vCPUs) and C1 only. Ours adds the template's JAVA_TOOL_OPTIONS, if it sets any.
runtime_flags=(-XX:+UseSerialGC -XX:+TieredCompilation -XX:TieredStopAtLevel=1)
read -r -a template_jvm_options <<<"$(sed -n 's/^ *JAVA_TOOL_OPTIONS: *//p' template.yaml | head -n 1)"
ours_flags=("${runtime_flags[@]}" "${template_jvm_options[@]}")
defaults_flags=("${runtime_flags[@]}")
echo "measuring $runs cold starts of each variant, interleaved" >&2
cold ours "$ours_cp" "$handler" "${ours_flags[@]}"   # warms the disk cache; not counted
: >"$work/ours"
for _ in $(seq 1 "$runs"); do
  empty_jvm
  cold ours "$ours_cp" "$handler" "${ours_flags[@]}"
  cold defaults "$defaults_cp" dev.ecsmigrate.SdkDefaultsHandler "${defaults_flags[@]}"
done

median() { # median FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -n | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'
}
warm=$("$JAVA_HOME/bin/java" -cp "$ours_cp:$root/target/test-classes" dev.ecsmigrate.WarmBench \
  events/migration-with-correlation-id.json 20000)
warm_ns=$(sed -n 's/.*warm_ns_per_invocation=\([0-9]*\).*/\1/p' <<<"$warm")
warm_bytes=$(sed -n 's/.*warm_bytes_per_invocation=\([0-9]*\).*/\1/p' <<<"$warm")
unpacked=$(du -sb "$artifact" | cut -f1)
zipped=$(python3 - "$artifact" <<'PY'
import io, os, sys, zipfile
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    for folder, _, files in os.walk(sys.argv[1]):
        for name in files:
            path = os.path.join(folder, name)
            archive.write(path, os.path.relpath(path, sys.argv[1]))
print(buffer.tell())
PY
)

ours_wall=$(median "$work/ours" 1); defaults_wall=$(median "$work/defaults" 1); empty_wall=$(median "$work/empty" 1)
ratio=$(awk -v a="$ours_wall" -v b="$defaults_wall" 'BEGIN {printf "%.2f", a / b}')
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "not met"; fi; }

cat <<TABLE
Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1), medians of $runs interleaved runs against moto_server on 127.0.0.1.

| measure | this function | SDK defaults | empty JVM |
|---|---|---|---|
| cold path: JVM start to first status (ms) | $ours_wall | $defaults_wall | $empty_wall |
| handler init: constructor, config, clients (ms) | $(median "$work/ours" 2) | $(median "$work/defaults" 2) | |
| first invoke: validate, lock, RunTask, record, PutEvents (ms) | $(median "$work/ours" 3) | $(median "$work/defaults" 3) | |
| peak RSS (MiB) | $(median "$work/ours" 4) | $(median "$work/defaults" 4) | |

| target | measured | |
|---|---|---|
| cold path ≤ 0.5× SDK defaults | ${ratio}× | $(verdict "$ratio <= 0.5") |
| deployment artifact ≤ 8 MB (sam build output, zipped) | $(mib "$zipped") MiB zipped, $(mib "$unpacked") MiB unpacked | $(verdict "$zipped <= 8388608") |
| warm invocation ≤ 1 ms, network excluded | $(awk -v n="$warm_ns" 'BEGIN {printf "%.3f", n / 1e6}') ms, ${warm_bytes} bytes allocated | $(verdict "$warm_ns <= 1000000") |
TABLE
