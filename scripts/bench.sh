#!/usr/bin/env bash
# Measures, in one run and side by side: the cold path (a fresh Lambda runtime to the first status, through
# the Lambda Runtime Interface Emulator) of this function against the same function with SDK defaults and
# an empty JVM; the REPORT line's figures beside its own; the deployment artifact's size; and the warm
# per-invocation cost and allocation. Prints a Markdown table.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bench.sh [--runs N]

  --runs N   cold starts per variant, interleaved; the table shows medians (default 7, at least 5)

Builds with `sam build`, starts moto_server on 127.0.0.1, and runs each cold start through the Lambda
Runtime Interface Emulator and the Java runtime interface client, as local-invoke.sh does. Calls no AWS
endpoint.
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
# shellcheck source=scripts/lib/emulator.sh
source "$here/lib/emulator.sh"
cd "$root"

use_jdk25
need_maven
need_moto
need_aws_cli
need_curl

echo "building: sam build, and the benchmark's own classes" >&2
sam_build --cached >/dev/null
mvn -B -q -ntp -DskipTests test-compile >&2
find_emulator "$root"
runtime_classpath "$root"
artifact="$root/.aws-sam/build/MigrationFunction"
handler=$(sed -n 's/^ *Handler: *\([^ ]*\).*/\1/p' template.yaml | head -n 1)

work=$(mktemp -d)
MOTO_PID=''
EMULATOR_PID=''
# shellcheck disable=SC2317 # called by the trap
cleanup() { emulator_stop; [[ -z "$MOTO_PID" ]] || kill "$MOTO_PID" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
start_moto "$work"
create_world '[{"name":"app","image":"app","essential":true,"memory":512}]'

# The SDK-defaults variant: the same task root plus its handler (from the test classes) and the default
# HTTP clients in lib/, as a function written with the SDK's defaults would ship.
defaults_root="$work/defaults-task-root"
cp -r "$artifact" "$defaults_root"
cp "$root/target/test-classes/dev/ecsmigrate/SdkDefaultsHandler"*.class "$defaults_root/dev/ecsmigrate/"
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout \
  | tr ':' '\n' | grep -E '/(apache-client|httpclient|httpcore|commons-logging|commons-codec)/' \
  | xargs -I{} cp {} "$defaults_root/lib/"

# Both variants get what Lambda would give the function, with the template's variables for this world.
cat >"$work/env.json" <<JSON
{"MigrationFunction": {"CLUSTER": "migrations", "SUBNETS": "$SUBNET", "SECURITY_GROUPS": "$SECURITY_GROUP",
  "CONTAINER_NAME": "app", "MIGRATION_COMMAND": "[\\"alembic\\",\\"upgrade\\",\\"head\\"]", "ALLOWED_FAMILIES": "app",
  "TABLE_NAME": "$RUN_TABLE"}}
JSON
function_environment "$root" us-east-1 "$work/env.json" '' MigrationFunction
# Both run with the flags the java25 runtime gives an on-demand cold start (scripts/lib/emulator.sh).
JVM_FLAGS=("${LAMBDA_JVM_FLAGS[@]}")

# cold VARIANT TASK_ROOT HANDLER: one fresh emulator and runtime from start to the first status; appends
# "wall_ms report_init_ms report_duration_ms init_ms invoke_ms rss_mb" to $work/VARIANT and stops the task
# it started. report_* are the REPORT line's own figures; init and invoke are the emulator's INIT REPORT
# and INVOKE RTDONE durations.
cold() {
  local variant=$1 task_root=$2 handler_string=$3 report status task
  sed "s|arn:aws:ecs:us-east-1:123456789012:task-definition/app:42|$TASK_DEFINITION|; s|gh-7301122334-1|bench-$variant-$RANDOM|" \
    events/migration-with-correlation-id.json >"$work/event.json"
  emulator_invoke "$task_root" "$handler_string" "$work/event.json" "$work/response" "$work/log" \
    || { echo "$variant: the emulator failed" >&2; exit 1; }
  status=$(<"$work/response")
  [[ "$status" == *'"status":"STARTED"'* ]] || { echo "$variant did not start a task: $status" >&2; cat "$work/log" >&2; exit 1; }
  report=$(grep '^REPORT RequestId' "$work/log")
  printf '%d %s %s %s %s %s\n' "$EMULATOR_WALL_MS" \
    "$(sed -n 's/.*Init Duration: \([0-9.]*\) ms.*/\1/p' <<<"$report")" \
    "$(sed -n 's/.*\tDuration: \([0-9.]*\) ms.*/\1/p' <<<"$report")" \
    "$(sed -n 's/.*INIT REPORT(durationMs: \([0-9.]*\)).*/\1/p' "$work/log" | head -n 1)" \
    "$(sed -n 's/.*INVOKE RTDONE(status: [a-z]*, produced bytes: [0-9]*, duration: \([0-9.]*\)ms).*/\1/p' "$work/log" | head -n 1)" \
    "${EMULATOR_PEAK_RSS_MB:--}" >>"$work/$variant"
  task=$(sed -n 's/.*"task_arn":"\([^"]*\)".*/\1/p' <<<"$status")
  aws ecs stop-task --cluster migrations --task "$task" >/dev/null
  # Each cold start takes a free lock, as a first migration does: the take-over path is not what is measured.
  aws dynamodb delete-item --table-name "$RUN_TABLE" --key '{"id":{"S":"lock#migrations#app"}}'
}

empty_jvm() {
  local start end
  start=$(date +%s%N)
  "$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}" -version >/dev/null 2>&1
  end=$(date +%s%N)
  printf '%d - - - - -\n' $(( (end - start) / 1000000 )) >>"$work/empty"
}

echo "measuring $runs cold starts of each variant through the Lambda Runtime Interface Emulator, interleaved" >&2
cold ours "$artifact" "$handler"   # warms the disk cache; not counted
: >"$work/ours"
for _ in $(seq 1 "$runs"); do
  empty_jvm
  cold ours "$artifact" "$handler"
  cold defaults "$defaults_root" dev.ecsmigrate.SdkDefaultsHandler::handleRequest
done

median() { # median FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; if (m == int(m)) printf "%d\n", m; else printf "%.1f\n", m}'
}
warm=$("$JAVA_HOME/bin/java" -cp "$artifact:$artifact/lib/*:$root/target/test-classes" dev.ecsmigrate.WarmBench \
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
| cold path: emulator start to first status, measured here (ms) | $ours_wall | $defaults_wall | $empty_wall |
| REPORT line: Duration (ms) | $(median "$work/ours" 3) | $(median "$work/defaults" 3) | |
| REPORT line: Init Duration (ms) | $(median "$work/ours" 2) | $(median "$work/defaults" 2) | |
| init: JVM, runtime client, handler constructor (emulator's INIT REPORT, ms) | $(median "$work/ours" 4) | $(median "$work/defaults" 4) | |
| first invoke: validate, lock, RunTask, record, PutEvents (emulator's INVOKE RTDONE, ms) | $(median "$work/ours" 5) | $(median "$work/defaults" 5) | |
| peak RSS of the runtime's JVM (MiB) | $(median "$work/ours" 6) | $(median "$work/defaults" 6) | |

The emulator starts the runtime at the first invoke, so its REPORT line counts init inside Duration and
prints a near-zero Init Duration; its INIT REPORT line has the init on its own. Lambda itself reports
init as Init Duration.

| target | measured | |
|---|---|---|
| cold path ≤ 0.5× SDK defaults | ${ratio}× | $(verdict "$ratio <= 0.5") |
| deployment artifact ≤ 8 MB (sam build output, zipped) | $(mib "$zipped") MiB zipped, $(mib "$unpacked") MiB unpacked | $(verdict "$zipped <= 8388608") |
| warm invocation ≤ 1 ms, network excluded | $(awk -v n="$warm_ns" 'BEGIN {printf "%.3f", n / 1e6}') ms, ${warm_bytes} bytes allocated | $(verdict "$warm_ns <= 1000000") |
TABLE
