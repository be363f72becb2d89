#!/usr/bin/env bash
# Runs the function once on an event through the real Lambda runtime loop, without Docker: the Lambda
# Runtime Interface Emulator and the Java runtime interface client, as `sam local invoke` would in a
# container. Prints the function's response on stdout; Lambda's START/END/REPORT lines and the function's
# logs go to stderr.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: local-invoke.sh [FUNCTION] -e EVENT.json [--env-vars ENV.json] [--parameter-overrides 'K=V ...']

Runs the function on one event through the Lambda Runtime Interface Emulator and the Java runtime
interface client: the runtime loop Lambda's java25 runtime runs, the same START/END/REPORT lines.
FUNCTION is the function's logical id in template.yaml: MigrationFunction (the default, the trigger)
or CompletionFunction (task-stopped events and the sweep).

  -e, --event FILE             the event; - reads it from stdin
  -n, --env-vars FILE          values for the function's variables, in SAM's JSON format:
                               {"MigrationFunction": {"CLUSTER": "migrations"}, "Parameters": {...}}
                               (scripts/local-invoke.env.example.json is a filled-in example)
  --parameter-overrides TEXT   template parameters, 'Key=Value ...' or 'ParameterKey=K,ParameterValue=V ...'
  --region REGION              the function's AWS_REGION (default: AWS_REGION, else us-east-1)
  -h, --help                   this text

The function gets only what Lambda would give it: the variables template.yaml defines for it (from
--env-vars, else the template's value with its parameters), Lambda's own AWS_LAMBDA_* variables, the
memory, timeout and log format of the template, and these connection settings from your environment:
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_ENDPOINT_URL[_<SERVICE>]. Nothing
else of your environment reaches it. Point it at a local endpoint such as moto_server with
AWS_ENDPOINT_URL; dummy credentials do.

The code is MIGRATION_ARTIFACT when set (a `sam build` output folder such as
.aws-sam/build/MigrationFunction, or a jar); otherwise target/'s jar, built with Maven when it is
missing or older than the sources. The emulator is AWS_LAMBDA_RIE, else aws-lambda-rie on PATH, else
installed with `go install` where that works; otherwise the script says how to get it.

Exit codes: 0 the function answered; 1 the function threw (its error is printed); 2 usage error;
127 the emulator or the runtime is missing or did not start.
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=scripts/lib/toolchain.sh
source "$here/lib/toolchain.sh"
# shellcheck source=scripts/lib/emulator.sh
source "$here/lib/emulator.sh"

# fail_usage MESSAGE: a usage error ends this developer tool at once.
fail_usage() { usage_error "$1" || exit; }
# need_value FLAG COUNT: a flag that takes a value must have one.
need_value() { (( $2 >= 2 )) || fail_usage "$1 needs a value"; }

event='' env_vars='' overrides='' function_id='' region=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
expand_flags "--event --env-vars --parameter-overrides --region" "$@"
set -- "${EXPANDED[@]}"
while (( $# > 0 )); do
  case "$1" in
    -e|--event) need_value "$1" $#; event=$2; shift 2 ;;
    -n|--env-vars) need_value "$1" $#; env_vars=$2; shift 2 ;;
    --parameter-overrides) need_value "$1" $#; overrides=$2; shift 2 ;;
    --region) need_value "$1" $#; region=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -?*) fail_usage "unknown argument '$1'" ;;
    *)
      # SAM's positional argument is the function's logical id; an event file there is taken too.
      if [[ -z "$event" && -f "$1" ]]; then event=$1
      elif [[ -z "$function_id" ]]; then function_id=$1
      else fail_usage "unexpected argument '$1'"
      fi
      shift ;;
  esac
done
function_id=${function_id:-MigrationFunction}
[[ -n "$event" ]] || fail_usage "an event is required: -e events/migration.json"
[[ -z "$env_vars" || -r "$env_vars" ]] || fail_usage "cannot read --env-vars file '$env_vars'"
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || fail_usage "--region must be a region such as us-east-1, got '$region'"

work=$(mktemp -d)
EMULATOR_PID=''
# shellcheck disable=SC2317 # called by the trap
cleanup() { emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "$event" == - ]]; then
  cat >"$work/event.json"
  event="$work/event.json"
fi
[[ -r "$event" ]] || fail_usage "cannot read event file '$event'"

function_environment "$root" "$region" "$env_vars" "$overrides" "$function_id" || exit 2
use_jdk25 || exit 127
# The task root: what Lambda unpacks into /var/task. A sam build folder is one already; a jar goes in lib/.
artifact=${MIGRATION_ARTIFACT:-}
if [[ -z "$artifact" ]]; then
  artifact=$(function_jar "$root") || exit 127
fi
if [[ -d "$artifact" ]]; then
  [[ -d "$artifact/lib" ]] || fail_usage "MIGRATION_ARTIFACT '$artifact' is not a sam build output (no lib/ folder)"
  task_root=$(cd "$artifact" && pwd)
elif [[ -f "$artifact" ]]; then
  task_root="$work/task"
  mkdir -p "$task_root/lib"
  ln -s "$(cd "$(dirname "$artifact")" && pwd)/$(basename "$artifact")" "$task_root/lib/function.jar"
else
  fail_usage "MIGRATION_ARTIFACT '$artifact' does not exist"
fi
printf 'artifact: %s\n' "$artifact" >&2

find_emulator "$root" || exit 127
runtime_classpath "$root" || exit 127
JVM_FLAGS=("${LAMBDA_JVM_FLAGS[@]}")
EMULATOR_ECHO=1
emulator_invoke "$task_root" "${FUNCTION_META[handler]}" "$event" "$work/response" "$work/log" || exit 127

cat "$work/response"
echo
printf 'local-invoke: %d ms from emulator start to response, peak RSS of the runtime %s MB (the emulator reports the memory size, not a measurement)\n' \
  "$EMULATOR_WALL_MS" "${EMULATOR_PEAK_RSS_MB:-?}" >&2
if failure=$(function_error "$work/response"); then
  echo "error: the function threw $failure" >&2
  exit 1
fi
