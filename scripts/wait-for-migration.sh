#!/usr/bin/env bash
# Follows one migration task to its end and exits with the migration container's own exit code.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: wait-for-migration.sh --cluster NAME --correlation-id ID [options]

Finds the migration task by its startedBy (the correlation id), follows it to STOPPED, streams its
logs, and exits with the migration container's exit code.

  --cluster NAME          the cluster the runner starts tasks on [env MIGRATION_CLUSTER]
  --correlation-id ID     the run to follow (printed by put-migration-event.sh) [env MIGRATION_CORRELATION_ID]
  --timeout SECONDS       give up after this long; no upper limit (default 3600) [env MIGRATION_TIMEOUT]
  --start-timeout SECONDS how long the task may take to appear (default 300) [env MIGRATION_START_TIMEOUT]
  --interval SECONDS      time between polls (default 6) [env MIGRATION_INTERVAL]
  --container NAME        the migration container (default: the one the runner's status names,
                          else the task definition's only essential container) [env MIGRATION_CONTAINER]
  --function-name NAME    the runner function; its log group tells why a task never appeared
                          [env MIGRATION_FUNCTION_NAME]
  --no-logs               do not stream the container's CloudWatch logs
  --no-stop               on timeout or interruption, leave the task running
  -h, --help              this text

Exit codes (like docker run and timeout):
  0     the migration container exited 0
  N     the migration container exited N (passed through)
  2     usage error
  124   timed out; the task is stopped unless --no-stop
  125   the task never ran: rejected, not found in time, failed to start, or no exit code
  130   interrupted (SIGINT/SIGTERM); the task is stopped unless --no-stop
The last line is machine-readable, for example:
  result=failed exit_code=3 task_arn=arn:... stop_code=EssentialContainerExited
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"

cluster=${MIGRATION_CLUSTER:-}
correlation_id=${MIGRATION_CORRELATION_ID:-}
timeout=${MIGRATION_TIMEOUT:-3600}
start_timeout=${MIGRATION_START_TIMEOUT:-300}
interval=${MIGRATION_INTERVAL:-6}
container=${MIGRATION_CONTAINER:-}
function_name=${MIGRATION_FUNCTION_NAME:-}
follow_logs=true
stop_on_exit=true
validate_only=false
heartbeat_every=${MIGRATION_HEARTBEAT:-60}

while (( $# > 0 )); do
  case "$1" in
    --cluster|--correlation-id|--timeout|--start-timeout|--interval|--container|--function-name)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      value=$2
      case "$1" in
        --cluster) cluster=$value ;;
        --correlation-id) correlation_id=$value ;;
        --timeout) timeout=$value ;;
        --start-timeout) start_timeout=$value ;;
        --interval) interval=$value ;;
        --container) container=$value ;;
        --function-name) function_name=$value ;;
      esac
      shift 2 ;;
    --no-logs) follow_logs=false; shift ;;
    --no-stop) stop_on_exit=false; shift ;;
    --validate-only) validate_only=true; shift ;;  # used by migrate.sh to check flags before sending
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

[[ -n "$cluster" ]] || usage_error "--cluster is required"
[[ -n "$correlation_id" || "$validate_only" == true ]] || usage_error "--correlation-id is required"
[[ -z "$correlation_id" || "$correlation_id" =~ $CORRELATION_ID_PATTERN ]] \
  || usage_error "--correlation-id must be 1-36 characters from A-Z a-z 0-9 _ - /, got '$correlation_id'"
is_positive_number "$timeout" || usage_error "--timeout must be a positive number of seconds, got '$timeout'"
is_positive_number "$start_timeout" || usage_error "--start-timeout must be a positive number of seconds, got '$start_timeout'"
is_positive_number "$interval" || usage_error "--interval must be a positive number of seconds, got '$interval'"
is_positive_number "$heartbeat_every" || usage_error "MIGRATION_HEARTBEAT must be a positive number of seconds"
[[ "$validate_only" == false ]] || exit 0

started_at=$SECONDS
since_ms=$(( $(now_ms) - 300000 ))
task_arn=''
task_definition=''
last_status=''
stop_code=''
stopped_reason=''
exit_code=''
container_reason=''
container_rows=''
log_group=''
log_stream=''
log_token=''
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
runner_group=''

elapsed() { local s=$(( SECONDS - started_at )); printf '%dm%02ds' $(( s / 60 )) $(( s % 60 )); }

# finish RESULT CODE MESSAGE: reports the outcome everywhere a pipeline looks, and exits.
finish() {
  local result=$1 code=$2 message=$3
  trap - INT TERM
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'task_arn=%s\nexit_code=%s\nresult=%s\ncorrelation_id=%s\n' "$task_arn" "$code" "$result" "$correlation_id" >>"$GITHUB_OUTPUT"
  fi
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    {
      printf '### Migration %s\n\n| | |\n|---|---|\n' "$result"
      printf "| correlation id | \`%s\` |\n| task | \`%s\` |\n| exit code | %s |\n| stop code | %s |\n| reason | %s |\n\n" \
        "$correlation_id" "${task_arn:-none}" "$code" "${stop_code:-none}" "${message//|/\\|}"
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  if [[ "$code" != 0 && -n "${GITHUB_ACTIONS:-}" ]]; then
    local annotation=${message//%/%25}
    printf '::error title=Migration %s::%s\n' "$result" "$annotation"
  fi
  log "$message"
  printf 'result=%s exit_code=%s task_arn=%s stop_code=%s correlation_id=%s\n' \
    "$result" "$code" "${task_arn:-none}" "${stop_code:-none}" "$correlation_id"
  exit "$code"
}

stop_task() {
  local why=$1
  [[ -n "$task_arn" ]] || return 0
  if [[ "$stop_on_exit" == false ]]; then
    log "leaving task $task_arn running (--no-stop)"
    return 0
  fi
  if aws_call ecs stop-task --cluster "$cluster" --task "$task_arn" \
      --reason "wait-for-migration: $why (correlation id $correlation_id)" --query 'task.lastStatus' --output text; then
    log "stopped task $task_arn: $why"
  else
    warn "could not stop task $task_arn: $AWS_ERROR"
  fi
}

# shellcheck disable=SC2317 # called by the trap
on_signal() {
  trap - INT TERM
  log "interrupted; the CI job was probably cancelled"
  [[ -n "$task_arn" ]] || find_task || true
  stop_task "interrupted"
  finish interrupted 130 "interrupted while waiting for migration $correlation_id"
}
trap on_signal INT TERM

# find_task: sets task_arn to the task started by this correlation id, whether running or already stopped.
find_task() {
  local desired
  for desired in RUNNING STOPPED; do
    if aws_call ecs list-tasks --cluster "$cluster" --started-by "$correlation_id" --desired-status "$desired" \
        --query 'taskArns[0]' --output text; then
      if [[ -n "$AWS_OUTPUT" && "$AWS_OUTPUT" != None ]]; then
        task_arn=$AWS_OUTPUT
        return 0
      fi
    elif [[ "$AWS_ERROR" =~ ClusterNotFound ]]; then
      finish not_started 125 "cluster $cluster was not found: check --cluster and the region"
    else
      warn "list-tasks failed: $AWS_ERROR"
    fi
  done
  return 1
}

# check_runner: with --function-name, reads the runner's status for this run, and ends the wait early
# when the runner says no task will come.
check_runner() {
  [[ -n "$function_name" ]] || return 0
  [[ -n "$runner_group" ]] || runner_group=$(runner_log_group "$function_name")
  local line status reason other
  line=$(runner_status "$runner_group" "$correlation_id" "$since_ms")
  [[ -n "$line" ]] || return 0
  status=$(json_field "$line" status)
  reason=$(json_field "$line" reason)
  [[ -n "$container" ]] || container=$(json_field "$line" container)
  case "$status" in
    REJECTED|FAILED)
      finish not_started 125 "the runner reported $status for $correlation_id: $reason" ;;
    ALREADY_RUNNING)
      other=$(json_field "$line" task_arn)
      [[ "$(json_field "$line" started_by)" == "$correlation_id" ]] && return 0
      finish not_started 125 "the runner reported ALREADY_RUNNING: $reason (running task: $other)" ;;
    DRY_RUN)
      finish not_started 125 "the runner reported DRY_RUN: $reason" ;;
  esac
}

explain_missing_task() {
  local why="no task with startedBy=$correlation_id appeared on cluster $cluster within ${start_timeout}s"
  if [[ -n "$function_name" ]]; then
    check_runner
    why+="; the runner's log group $runner_group has no status for it yet. Check the rule's target and"
    why+=" the function's dead-letter queue (template output DeadLetterQueueUrl)"
  else
    why+=". Was the event sent to the right bus and region? Pass --function-name to see the runner's status"
  fi
  finish not_started 125 "$why"
}

# describe: reads the task's state into last_status, stop_code, task_definition, stopped_reason and
# container_rows (one "name<TAB>exit code<TAB>reason" line per container).
describe() {
  if ! aws_call ecs describe-tasks --cluster "$cluster" --tasks "$task_arn" --query \
      "tasks[0].[[lastStatus, stopCode || '-', taskDefinitionArn, stoppedReason || '-'], containers[].[name, exitCode || 'none', reason || '-']]" \
      --output text; then
    warn "describe-tasks failed: $AWS_ERROR"
    return 1
  fi
  [[ -n "$AWS_OUTPUT" && "$AWS_OUTPUT" != None ]] || return 1
  local header
  header=${AWS_OUTPUT%%$'\n'*}
  container_rows=''
  [[ "$AWS_OUTPUT" == *$'\n'* ]] && container_rows=${AWS_OUTPUT#*$'\n'}
  IFS=$'\t' read -r last_status stop_code task_definition stopped_reason <<<"$header"
  [[ "$stop_code" != - ]] || stop_code=''
  [[ "$stopped_reason" != - ]] || stopped_reason=''
}

# container_state: the migration container's exit code and reason, from the last describe.
container_state() {
  local name code reason
  exit_code=''
  container_reason=''
  while IFS=$'\t' read -r name code reason; do
    if [[ "$name" == "$container" ]]; then
      [[ "$code" == none ]] || exit_code=$code
      [[ "$reason" == - ]] || container_reason=$reason
    fi
  done <<<"$container_rows"
}

# choose_container: the migration container is the named one, else the only essential container.
choose_container() {
  [[ -z "$container" ]] || return 0
  # shellcheck disable=SC2016 # the backticks are a JMESPath literal
  if aws_call ecs describe-task-definition --task-definition "$task_definition" \
      --query 'taskDefinition.containerDefinitions[?essential!=`false`].name' --output text; then
    read -r -a essentials <<<"$AWS_OUTPUT"
    if (( ${#essentials[@]} == 1 )); then
      container=${essentials[0]}
      return 0
    fi
    finish error 125 "the task definition has ${#essentials[@]} essential containers (${essentials[*]}); name the migration container with --container (the task was left running)"
  fi
  finish error 125 "cannot read task definition $task_definition to find the migration container: $AWS_ERROR; name it with --container"
}

setup_logs() {
  [[ "$follow_logs" == true ]] || return 0
  if ! aws_call ecs describe-task-definition --task-definition "$task_definition" --query \
      "taskDefinition.containerDefinitions[?name=='$container'] | [0].[logConfiguration.logDriver || 'none', logConfiguration.options.\"awslogs-group\" || '-', logConfiguration.options.\"awslogs-stream-prefix\" || '-']" \
      --output text; then
    warn "cannot read the log configuration: $AWS_ERROR; not streaming logs"
    follow_logs=false
    return 0
  fi
  local driver group prefix
  IFS=$'\t' read -r driver group prefix <<<"$AWS_OUTPUT"
  if [[ "$driver" != awslogs || "$group" == - ]]; then
    log "note: container $container logs with the '$driver' driver, not awslogs; not streaming its logs here"
    follow_logs=false
    return 0
  fi
  log_group=$group
  if [[ "$prefix" == - ]]; then
    log "note: container $container has no awslogs-stream-prefix, so its log stream name is not predictable; not streaming"
    follow_logs=false
    return 0
  fi
  log_stream="$prefix/$container/${task_arn##*/}"
  log "logs: $log_group $log_stream"
}

# pump_logs: prints new log lines; returns 0 if any were printed.
pump_logs() {
  [[ "$follow_logs" == true ]] || return 1
  local args=(logs get-log-events --log-group-name "$log_group" --log-stream-name "$log_stream"
    --query '[[nextForwardToken], events[].[message]]' --output text)
  if [[ -n "$log_token" ]]; then args+=(--next-token "$log_token"); else args+=(--start-from-head); fi
  if ! aws_call "${args[@]}"; then
    [[ "$AWS_ERROR" =~ ResourceNotFound ]] || warn "get-log-events failed: ${AWS_ERROR:0:200}"
    return 1
  fi
  local token lines
  token=${AWS_OUTPUT%%$'\n'*}
  lines=''
  [[ "$AWS_OUTPUT" == *$'\n'* ]] && lines=${AWS_OUTPUT#*$'\n'}
  [[ "$token" != None && -n "$token" ]] && log_token=$token
  if [[ -n "$lines" ]]; then
    printf '%s\n' "$lines" | sed "s/^/  [$container] /"
    return 0
  fi
  return 1
}

drain_logs() {
  [[ "$follow_logs" == true ]] || return 0
  local rounds=0
  # CloudWatch can lag the container by a few seconds; keep reading until two empty reads in a row.
  local empty=0
  while (( rounds < 30 && empty < 2 )); do
    if pump_logs; then empty=0; else empty=$(( empty + 1 )); (( empty < 2 )) && pause 1; fi
    rounds=$(( rounds + 1 ))
  done
}

console_link() {
  [[ -n "$region" ]] || return 0
  local task_id=${task_arn##*/}
  log "console: https://${region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}/tasks/${task_id}/logs?region=${region}"
}

# --- find the task ---------------------------------------------------------------------------
log "waiting for migration $correlation_id on cluster $cluster (timeout ${timeout}s, start timeout ${start_timeout}s)"
last_heartbeat=$SECONDS
until find_task; do
  check_runner
  if (( SECONDS - started_at >= start_timeout )); then
    explain_missing_task
  fi
  if (( SECONDS - last_heartbeat >= heartbeat_every )); then
    log "still waiting for the task to appear ($(elapsed))"
    last_heartbeat=$SECONDS
  fi
  pause "$interval"
done
log "found task $task_arn"

# --- follow it -------------------------------------------------------------------------------
previous=''
last_heartbeat=$SECONDS
logs_ready=false
describe_failures=0
while :; do
  if ! describe; then
    describe_failures=$(( describe_failures + 1 ))
    if (( describe_failures >= 5 )); then
      finish error 125 "cannot read the state of task $task_arn (5 tries in a row): ${AWS_ERROR:-the task is no longer listed}; check the ecs:DescribeTasks permission and the region"
    fi
  else
    describe_failures=0
    if [[ "$logs_ready" == false && -n "$task_definition" ]]; then
      check_runner
      choose_container
      setup_logs
      logs_ready=true
    fi
    if [[ "$last_status" != "$previous" ]]; then
      log "${previous:-(new)} -> $last_status"
      previous=$last_status
      last_heartbeat=$SECONDS
    fi
    pump_logs || true
    [[ "$last_status" != STOPPED ]] || break
  fi
  if (( SECONDS - started_at >= timeout )); then
    pump_logs || true
    stop_task "timed out after ${timeout}s"
    finish timeout 124 "timed out after ${timeout}s waiting for migration $correlation_id (last status ${last_status:-unknown})"
  fi
  if (( SECONDS - last_heartbeat >= heartbeat_every )); then
    log "still $last_status ($(elapsed))"
    last_heartbeat=$SECONDS
  fi
  pause "$interval"
done

# --- judge it --------------------------------------------------------------------------------
drain_logs
console_link
container_state
if [[ "$stop_code" == TaskFailedToStart ]]; then
  finish not_started 125 "the task failed to start: ${container_reason:-$stopped_reason}${container_reason:+ ($stopped_reason)}"
fi
if [[ -z "$exit_code" ]]; then
  finish not_started 125 "container $container stopped without an exit code (stop code ${stop_code:-none}: ${container_reason:-$stopped_reason})"
fi
if [[ "$exit_code" == 0 ]]; then
  finish succeeded 0 "migration $correlation_id succeeded: container $container exited 0 after $(elapsed)"
fi
finish failed "$exit_code" "migration $correlation_id failed: container $container exited $exit_code${container_reason:+ ($container_reason)}; stop code ${stop_code:-none}: ${stopped_reason:-no reason given}"
