#!/usr/bin/env bash
# Runs the packaged function once on an event file, without Docker, and prints its status.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: local-invoke.sh [--env-file FILE] EVENT.json

Runs the function's packaged jar on one event, the way `sam local invoke` would but without Docker,
and prints the status JSON on stdout and a REPORT line (durations, peak memory) on stderr.

  --env-file FILE   KEY=VALUE lines for the function's environment (CLUSTER, SUBNETS, ...);
                    the current environment is used too, and the file wins
  -h, --help        this text

The handler string is read from template.yaml. The artifact is MIGRATION_ARTIFACT when set (the
`sam build` output, .aws-sam/build/MigrationFunction, or a jar); otherwise the shaded jar in
target/, built with Maven if it is missing.
Point it at a local endpoint with AWS_ENDPOINT_URL (for example moto_server); dummy credentials do.
The handler is constructed and called directly in one JVM, through its no-argument constructor, as
Lambda does; it is not the Lambda runtime loop (see README, "Local invoke").
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=scripts/lib/toolchain.sh
source "$here/lib/toolchain.sh"

# fail_usage MESSAGE: a usage error ends this developer tool at once.
fail_usage() { usage_error "$1" || exit; }

env_file=''
event=''
while (( $# > 0 )); do
  case "$1" in
    --env-file) [[ $# -ge 2 ]] || fail_usage "--env-file needs a value"; env_file=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) fail_usage "unknown argument '$1'" ;;
    *) [[ -z "$event" ]] || fail_usage "give one event file, got '$event' and '$1'"; event=$1; shift ;;
  esac
done
[[ -n "$event" ]] || fail_usage "an event file is required, for example events/migration.json"
[[ -r "$event" ]] || fail_usage "cannot read event file '$event'"
[[ -z "$env_file" || -r "$env_file" ]] || fail_usage "cannot read env file '$env_file'"

handler=$(sed -n 's/^ *Handler: *\([^ ]*\).*/\1/p' "$root/template.yaml" | head -n 1)
[[ -n "$handler" ]] || { echo "error: no Handler: line in template.yaml" >&2; exit 1; }

use_jdk25
# The artifact: MIGRATION_ARTIFACT if set (a `sam build` output folder or a jar), else the shaded jar,
# built if it is missing.
artifact=${MIGRATION_ARTIFACT:-$root/target/ecs-migration-runner-1.0.0.jar}
if [[ -d "$artifact" ]]; then
  [[ -d "$artifact/lib" ]] || fail_usage "MIGRATION_ARTIFACT '$artifact' is not a sam build output (no lib/ folder)"
  classpath="$artifact:$artifact/lib/*"
else
  if [[ ! -f "$artifact" && -z "${MIGRATION_ARTIFACT:-}" ]]; then
    need_maven
    toolchain_log "building $artifact"
    (cd "$root" && mvn -B -q -ntp -DskipTests package >&2)
  fi
  [[ -f "$artifact" ]] || fail_usage "artifact '$artifact' does not exist"
  classpath=$artifact
fi
printf 'artifact: %s\n' "$artifact" >&2
# The in-process invoker is a development tool: it lives in the test sources, never in the artifact.
tools="$root/target/test-classes"
if [[ ! -f "$tools/dev/ecsmigrate/local/LocalInvoke.class" ]]; then
  need_maven
  toolchain_log "compiling the local invoker (test sources)"
  (cd "$root" && mvn -B -q -ntp test-compile >&2)
fi

if [[ -n "$env_file" ]]; then
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || fail_usage "env file line is not KEY=VALUE: '$line'"
    export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
  done <"$env_file"
fi

exec "$JAVA_HOME/bin/java" -cp "$classpath:$tools" dev.ecsmigrate.local.LocalInvoke "$handler" "$event"
