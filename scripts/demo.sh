#!/usr/bin/env bash
# The whole product, end to end, on this machine with no AWS account: moto_server plays AWS.
#   put-migration-event.sh -> EventBridge rule -> the function (packaged jar) -> ECS task
#   -> wait-for-migration.sh follows it, streams its logs, and exits with its exit code.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/demo.sh

Runs one migration end to end against a local moto_server on 127.0.0.1: sends the event with
put-migration-event.sh, delivers it through an EventBridge rule with the template's pattern, runs
the packaged function on it through the Lambda runtime emulator
(scripts/local-invoke.sh), and follows the task with
wait-for-migration.sh. Installs moto and the aws CLI if they are missing. Calls no AWS endpoint.
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; "") ;; *) echo "unknown argument '$1'; see --help" >&2; exit 2 ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=scripts/lib/toolchain.sh
source "$here/lib/toolchain.sh"
# shellcheck source=scripts/lib/moto.sh
source "$here/lib/moto.sh"
# shellcheck source=scripts/lib/emulator.sh
source "$here/lib/emulator.sh"

use_jdk25
need_maven
need_moto
need_aws_cli
need_curl

work=$(mktemp -d)
MOTO_PID=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  [[ -z "$MOTO_PID" ]] || kill "$MOTO_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the function, built if needed, and the Lambda runtime emulator"
MIGRATION_ARTIFACT=$(function_jar "$root")
export MIGRATION_ARTIFACT
find_emulator "$root"
export AWS_LAMBDA_RIE=$EMULATOR

start_moto "$work"
echo "== moto_server on $AWS_ENDPOINT_URL plays AWS"

# Each DescribeTasks moves moto's task one lifecycle step, every third poll, so the task stops by itself.
curl -fsS -X POST "$AWS_ENDPOINT_URL/moto-api/state-manager/set-transition" \
  -d '{"model_name":"ecs::task","transition":{"progression":"manual","times":3}}' >/dev/null

create_world '[{"name":"app","image":"app:latest","essential":true,"memory":512,"command":["bin/serve"],
  "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/app","awslogs-region":"us-east-1",
  "awslogs-stream-prefix":"ecs"}}}]'
# The CLI v1 sqs commands ignore AWS_ENDPOINT_URL in us-east-1, so the endpoint is named for them.
queue=$(aws sqs --endpoint-url "$AWS_ENDPOINT_URL" create-queue --queue-name runner --query QueueUrl --output text)
queue_arn=$(aws sqs --endpoint-url "$AWS_ENDPOINT_URL" get-queue-attributes --queue-url "$queue" --attribute-names QueueArn --query Attributes.QueueArn --output text)
# The same pattern as the template's rule; the queue stands in for the Lambda target.
aws events put-rule --name migration-trigger \
  --event-pattern "{\"source\":[\"$MIGRATION_SOURCE\"],\"detail-type\":[\"$MIGRATION_TRIGGER_DETAIL_TYPE\"]}" >/dev/null
aws events put-targets --rule migration-trigger --targets "Id=runner,Arn=$queue_arn" >/dev/null
aws logs create-log-group --log-group-name /ecs/app
echo "== cluster 'migrations', task definition 'app', default VPC subnet $SUBNET"

echo "== 1. the pipeline puts the event"
sent=$("$here/put-migration-event.sh" --task-definition app)
echo "$sent"
correlation_id=$(sed -n 's/.*correlation_id=\([^ ]*\).*/\1/p' <<<"$sent")

echo "== 2. EventBridge delivers it; the function runs on it"
aws sqs --endpoint-url "$AWS_ENDPOINT_URL" receive-message --queue-url "$queue" --wait-time-seconds 5 --query 'Messages[0].Body' --output text >"$work/event.json"
# The function's variables, in SAM's --env-vars format; local-invoke.sh gives it nothing else of this shell
# but the credentials and the endpoint.
cat >"$work/env.json" <<JSON
{"MigrationFunction": {"CLUSTER": "migrations", "SUBNETS": "$SUBNET", "SECURITY_GROUPS": "$SECURITY_GROUP",
  "CONTAINER_NAME": "app", "MIGRATION_COMMAND": "[\\"alembic\\",\\"upgrade\\",\\"head\\"]", "ALLOWED_FAMILIES": "app",
  "TABLE_NAME": "$RUN_TABLE"}}
JSON
"$here/local-invoke.sh" -e "$work/event.json" --env-vars "$work/env.json" >"$work/status.json"
echo "the function's status: $(cat "$work/status.json")"
# The run's record in the table names its task.
read_run "$RUN_TABLE" "$correlation_id" || { echo "cannot read the run's record: $AWS_ERROR" >&2; exit 1; }
task_arn=$RUN_TASK
[[ -n "$task_arn" ]] || { echo "the function started no task; see its status above" >&2; exit 1; }

# moto runs no container, so write what the awslogs driver would have written.
stream="ecs/app/${task_arn##*/}"
aws logs create-log-stream --log-group-name /ecs/app --log-stream-name "$stream"
now=$(now_ms)
cat >"$work/log-events.json" <<JSON
[{"timestamp":$now,"message":"INFO  [alembic.runtime.migration] Context impl PostgresqlImpl."},
 {"timestamp":$now,"message":"INFO  [alembic.runtime.migration] Running upgrade 1a2b3c -> 4d5e6f, add orders.status"}]
JSON
aws logs put-log-events --log-group-name /ecs/app --log-stream-name "$stream" --log-events "file://$work/log-events.json" >/dev/null

echo "== 3. the pipeline waits for the task and takes its exit code"
set +e
"$here/wait-for-migration.sh" --cluster migrations --correlation-id "$correlation_id" --table "$RUN_TABLE" --interval 1
code=$?
set -e
echo "== demo finished: wait-for-migration.sh exited $code"
exit "$code"
