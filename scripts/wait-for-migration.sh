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
  --container NAME        the migration container (default: the one the run's record names,
                          else the task definition's only essential container) [env MIGRATION_CONTAINER]
  --table NAME            the runner's table (stack output RunTable); the run's record tells at once
                          why a task will not appear, and which task is the run's [env MIGRATION_TABLE]
  --function-name NAME    the runner function, to find its table when --table is not given
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
if [[ ! -r "$here/lib/common.sh" ]]; then
  printf '%s: %s/lib/ is missing: copy the whole scripts/ folder (the scripts share lib/), or use the GitHub Action\n' "${0##*/}" "$here" >&2
  printf 'result=error exit_code=125 task_arn=none stop_code=none correlation_id=none\n'
  exit 125
fi
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"

# --- settings, from flags and the environment ----------------------------------------------------
cluster=${MIGRATION_CLUSTER:-}
correlation_id=${MIGRATION_CORRELATION_ID:-}
timeout=${MIGRATION_TIMEOUT:-3600}
start_timeout=${MIGRATION_START_TIMEOUT:-300}
interval=${MIGRATION_INTERVAL:-6}
container=${MIGRATION_CONTAINER:-}
function_name=${MIGRATION_FUNCTION_NAME:-}
table=${MIGRATION_TABLE:-}
follow_logs=${MIGRATION_LOGS:-true}
stop_on_exit=${MIGRATION_STOP_ON_CANCEL:-true}
validate_only=false
heartbeat_every=${MIGRATION_HEARTBEAT:-60}
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}

# --- what has been seen of the task --------------------------------------------------------------
started_at=$SECONDS
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

# --- how the wait ended: set once, by conclude ---------------------------------------------------
result=''
message=''
# Under GitHub Actions, the migration's own output is printed with workflow commands stopped, so that no
# log line can command the runner; the token is random, and only report() resumes them.
fence_token=''

parse_args() {
  local value
  expand_flags "--cluster --correlation-id --timeout --start-timeout --interval --container --function-name --table" "$@"
  set -- "${EXPANDED[@]}"
  while (( $# > 0 )); do
    case "$1" in
      --cluster|--correlation-id|--timeout|--start-timeout|--interval|--container|--function-name|--table)
        [[ $# -ge 2 ]] || { usage_error "$1 needs a value"; return; }
        value=$2
        case "$1" in
          --cluster) cluster=$value ;;
          --correlation-id) correlation_id=$value ;;
          --timeout) timeout=$value ;;
          --start-timeout) start_timeout=$value ;;
          --interval) interval=$value ;;
          --container) container=$value ;;
          --function-name) function_name=$value ;;
          --table) table=$value ;;
        esac
        shift 2 ;;
      --no-logs) follow_logs=false; shift ;;
      --no-stop) stop_on_exit=false; shift ;;
      --validate-only) validate_only=true; shift ;;  # used by migrate.sh to check flags before sending
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown argument '$1'"; return ;;
    esac
  done

  [[ -n "$cluster" ]] || { usage_error "--cluster is required"; return; }
  [[ -n "$correlation_id" || "$validate_only" == true ]] || { usage_error "--correlation-id is required"; return; }
  [[ -z "$correlation_id" || "$correlation_id" =~ $CORRELATION_ID_PATTERN ]] \
    || { usage_error "--correlation-id must be $CORRELATION_ID_RULE, got '$correlation_id'"; return; }
  is_positive_number "$timeout" || { usage_error "--timeout must be a positive number of seconds, got '$timeout'"; return; }
  is_positive_number "$start_timeout" \
    || { usage_error "--start-timeout must be a positive number of seconds, got '$start_timeout'"; return; }
  is_positive_number "$interval" || { usage_error "--interval must be a positive number of seconds, got '$interval'"; return; }
  is_positive_number "$heartbeat_every" || { usage_error "MIGRATION_HEARTBEAT must be a positive number of seconds"; return; }
  is_boolean "$follow_logs" || { usage_error "MIGRATION_LOGS must be true or false, got '$follow_logs'"; return; }
  is_boolean "$stop_on_exit" || { usage_error "MIGRATION_STOP_ON_CANCEL must be true or false, got '$stop_on_exit'"; return; }
}

# conclude RESULT MESSAGE: records how the wait ended. Every path that ends the wait comes through here.
conclude() {
  result=$1
  message=$2
}

concluded() { [[ -n "$result" ]]; }

# exit_code: the one place that turns the outcome into the exit code (contract section 3).
exit_code() {
  case "$result" in
    succeeded) printf '0' ;;
    failed) printf '%s' "$exit_code" ;;
    timeout) printf '124' ;;
    interrupted) printf '130' ;;
    *) printf '125' ;;  # not_started, error
  esac
}

# report: tells the outcome everywhere a pipeline looks; the result line is always the last line.
report() {
  local code summary_reason
  code=$(exit_code)
  log "$message"
  if [[ -n "$fence_token" ]]; then
    printf '::%s::\n' "$fence_token"
    fence_token=''
  fi
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    summary_reason=$(markdown_cell "$message")
    {
      printf '### Migration %s\n\n| | |\n|---|---|\n' "$result"
      printf "| correlation id | \`%s\` |\n| task | \`%s\` |\n| exit code | %s |\n| stop code | %s |\n| reason | %s |\n\n" \
        "$correlation_id" "${task_arn:-none}" "$code" "${stop_code:-none}" "$summary_reason"
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  if [[ "$code" != 0 && -n "${GITHUB_ACTIONS:-}" ]]; then
    printf '::error title=Migration %s::%s\n' "$result" "$(workflow_command_data "$message")"
  fi
  result_line "$result" "$code" "${task_arn:-none}" "${stop_code:-none}" "$correlation_id"
}

# finish: reports and ends the program with the outcome's exit code. The only exit after the flags are read.
finish() {
  local status
  trap - INT TERM
  report
  status=$(exit_code)
  # A process exits 0-255, and bash keeps the low byte: a container's 256 would exit 0. A failure whose code
  # cannot be passed through (outside 1-255) exits 1; the result line keeps the container's own code.
  if [[ "$result" == failed ]] && ! { [[ "$status" =~ ^[0-9]{1,3}$ ]] && (( status >= 1 && status <= 255 )); }; then
    status=1
  fi
  exit "$status"
}

elapsed() { local s=$(( SECONDS - started_at )); printf '%dm%02ds' $(( s / 60 )) $(( s % 60 )); }

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
  # A cancelled GitHub job (or a step's timeout-minutes) sends SIGINT, SIGTERM 7.5 s later, and SIGKILL
  # 2.5 s after that, to this process only. So the second signal is ignored, and every call made while
  # cleaning up is short and tried once: the task is stopped well within those ten seconds.
  trap '' INT TERM
  aws_call_stop
  log "interrupted; the CI job was probably cancelled or timed out"
  AWS_CLI_OPTIONS=(--cli-connect-timeout 2 --cli-read-timeout 4)
  AWS_MAX_ATTEMPTS_WRAPPER=1
  AWS_NETWORK_WAIT=0
  export AWS_MAX_ATTEMPTS=1
  [[ -n "$task_arn" ]] || find_task || true
  stop_task "interrupted"
  conclude interrupted "interrupted while waiting for migration $correlation_id"
  finish
}

# fatal_aws_error: concludes, and returns 0, when the last call failed because AWS cannot be reached or
# there are no usable credentials: polling on would only repeat the failure until a timeout.
fatal_aws_error() {
  local advice
  advice=$(aws_failure_advice)
  [[ -n "$advice" ]] || return 1
  conclude error "$advice"
}

# find_task: sets task_arn to the newest task started by this correlation id, running or already stopped.
# Several tasks share it when a run is sent again by hand, or after the client token's window; ListTasks
# promises no order, so their start times decide. Returns 1 while there is none, and concludes when the
# cluster does not exist, AWS cannot be reached, or two attempts cannot be told apart.
find_task() {
  local desired arns=() found=() arn rows newest previous
  local -A seen=()
  for desired in RUNNING STOPPED; do
    if aws_call ecs list-tasks --cluster "$cluster" --started-by "$correlation_id" --desired-status "$desired" \
        --query 'taskArns[]' --output text; then
      found=()
      [[ -z "$AWS_OUTPUT" || "$AWS_OUTPUT" == None ]] || read -r -a found <<<"$AWS_OUTPUT"
      for arn in "${found[@]}"; do
        [[ -n "${seen[$arn]:-}" ]] || arns+=("$arn")
        seen[$arn]=1
      done
    elif fatal_aws_error; then
      return 1
    elif [[ "$AWS_ERROR" =~ ClusterNotFound ]]; then
      conclude not_started "cluster $cluster was not found: check --cluster and the region"
      return 1
    else
      warn "list-tasks failed: $AWS_ERROR"
    fi
  done
  (( ${#arns[@]} > 0 )) || return 1
  if (( ${#arns[@]} == 1 )); then
    task_arn=${arns[0]}
    return 0
  fi
  if ! aws_call ecs describe-tasks --cluster "$cluster" --tasks "${arns[@]:0:100}" \
      --query 'sort_by(tasks, &createdAt)[].[createdAt, taskArn]' --output text; then
    fatal_aws_error && return 1
    warn "describe-tasks failed: $AWS_ERROR"
    return 1
  fi
  rows=$AWS_OUTPUT
  newest=${rows##*$'\n'}
  previous=${rows%$'\n'*}
  previous=${previous##*$'\n'}
  if [[ "${newest%%$'\t'*}" == "${previous%%$'\t'*}" ]]; then
    conclude error "tasks ${previous#*$'\t'} and ${newest#*$'\t'} both have startedBy=$correlation_id and started at the same time; cannot tell which is this run: stop the wrong one, or send the run again with a new --correlation-id"
    return 1
  fi
  if [[ "${newest#*$'\t'}" != "$task_arn" ]]; then
    [[ -z "$task_arn" ]] || log "a newer attempt with startedBy=$correlation_id started: ${newest#*$'\t'}; following it"
    log "${#arns[@]} tasks have startedBy=$correlation_id; judging the newest"
  fi
  task_arn=${newest#*$'\t'}
}

# find_table: with --function-name and no --table, finds the runner's table in the function's configuration.
find_table() {
  [[ -z "$table" && -n "$function_name" ]] || return 0
  table=$(runner_table "$function_name")
  if [[ -z "$table" ]]; then
    fatal_aws_error && return 1
    warn "cannot read the table of function $function_name (${AWS_ERROR:-it has no TABLE_NAME}); pass --table, or give this step lambda:GetFunctionConfiguration. Following the task without the run's record."
    function_name=''
  fi
}

# check_runner: with a table, reads the run's record. Returns 1, having concluded, when the runner says that
# no task will come; sets task_arn when the record names this run's task.
check_runner() {
  [[ -n "$table" ]] || return 0
  if ! read_run "$table" "$correlation_id"; then
    fatal_aws_error && return 1
    warn "cannot read the run's record from table $table: ${AWS_ERROR:0:200}"
    return 0
  fi
  [[ -n "$container" || -z "$RUN_CONTAINER" ]] || container=$RUN_CONTAINER
  case "$RUN_STATUS" in
    REJECTED|FAILED)
      conclude not_started "the runner reported $RUN_STATUS for $correlation_id: $RUN_REASON" ;;
    ALREADY_RUNNING)
      [[ -n "$RUN_BLOCKING_RUN" ]] || return 0
      conclude not_started "the runner reported ALREADY_RUNNING: $RUN_REASON (running task: ${RUN_BLOCKING_TASK:-not started yet})" ;;
    DRY_RUN)
      conclude not_started "the runner reported DRY_RUN: $RUN_REASON" ;;
    *)
      # STARTED, or no record yet. The record names the run's own task: ListTasks may not show it yet.
      [[ -n "$task_arn" || -z "$RUN_TASK" ]] || task_arn=$RUN_TASK
      return 0 ;;
  esac
  return 1
}

explain_missing_task() {
  local why="no task with startedBy=$correlation_id appeared on cluster $cluster within ${start_timeout}s"
  if [[ -n "$table" ]]; then
    check_runner || return 0
    why+="; the runner's table $table has no record of this run. Check the rule's target, the event bus and"
    why+=" region, and the function's dead-letter queue (template output DeadLetterQueueUrl)"
  else
    why+=". Was the event sent to the right bus and region? Pass --table (or --function-name) to see the runner's verdict"
  fi
  conclude not_started "$why"
}

# await_task: polls until the run's task appears. Returns 1, having concluded, when it does not.
await_task() {
  local last_heartbeat=$SECONDS
  log "waiting for migration $correlation_id on cluster $cluster (timeout ${timeout}s, start timeout ${start_timeout}s)"
  until find_task; do
    concluded && return 1
    check_runner || return 1
    [[ -z "$task_arn" ]] || break
    if (( SECONDS - started_at >= timeout )); then
      conclude timeout "timed out after ${timeout}s waiting for migration $correlation_id: no task appeared"
      return 1
    fi
    if (( SECONDS - started_at >= start_timeout )); then
      explain_missing_task
      return 1
    fi
    if (( SECONDS - last_heartbeat >= heartbeat_every )); then
      log "still waiting for the task to appear ($(elapsed))"
      last_heartbeat=$SECONDS
    fi
    pause "$interval"
  done
  concluded && return 1
  log "found task $task_arn"
}

# describe: reads the task's state into last_status, stop_code, task_definition, stopped_reason and
# container_rows (one "name<TAB>exit code<TAB>reason" line per container).
describe() {
  if ! aws_call ecs describe-tasks --cluster "$cluster" --tasks "$task_arn" --query \
      "tasks[0].[[lastStatus, stopCode || '-', taskDefinitionArn, stoppedReason || '-'], containers[].[name, exitCode || 'none', reason || '-']]" \
      --output text; then
    fatal_aws_error && return 1
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
# Returns 1, having concluded, when it cannot tell.
choose_container() {
  [[ -z "$container" ]] || return 0
  local essentials
  # shellcheck disable=SC2016 # the backticks are a JMESPath literal
  if ! aws_call ecs describe-task-definition --task-definition "$task_definition" \
      --query 'taskDefinition.containerDefinitions[?essential!=`false`].name' --output text; then
    fatal_aws_error && return 1
    conclude error "cannot read task definition $task_definition to find the migration container: $AWS_ERROR; name it with --container"
    return 1
  fi
  read -r -a essentials <<<"$AWS_OUTPUT"
  if (( ${#essentials[@]} != 1 )); then
    conclude error "the task definition has ${#essentials[@]} essential containers (${essentials[*]}); name the migration container with --container (the task was left running)"
    return 1
  fi
  container=${essentials[0]}
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
  [[ -n "$lines" ]] || return 1
  local line
  while IFS= read -r line; do
    # A carriage return would start a new line for the CI runner, one that no prefix protects.
    printf '  [%s] %s\n' "$container" "${line//$'\r'/\\r}"
  done <<<"$lines"
}

# drain_logs: CloudWatch can lag the container by a few seconds; reads until two empty reads in a row.
drain_logs() {
  [[ "$follow_logs" == true ]] || return 0
  local rounds=0 empty=0
  while (( rounds < 30 && empty < 2 )); do
    if pump_logs; then empty=0; else empty=$(( empty + 1 )); (( empty < 2 )) && pause 1; fi
    rounds=$(( rounds + 1 ))
  done
}

console_link() {
  [[ -n "$region" ]] || return 0
  log "console: https://${region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}/tasks/${task_arn##*/}/logs?region=${region}"
}

# follow_task: polls the task to STOPPED, streaming its logs. Returns 1, having concluded, when the
# wait times out or the task cannot be followed.
follow_task() {
  local previous='' last_heartbeat=$SECONDS logs_ready=false describe_failures=0
  while :; do
    if ! describe; then
      concluded && return 1
      describe_failures=$(( describe_failures + 1 ))
      if (( describe_failures >= 5 )); then
        conclude error "cannot read the state of task $task_arn (5 tries in a row): ${AWS_ERROR:-the task is no longer listed}; check the ecs:DescribeTasks permission and the region"
        return 1
      fi
    else
      describe_failures=0
      if [[ "$logs_ready" == false && -n "$task_definition" ]]; then
        check_runner || return 1
        choose_container || return 1
        setup_logs
        logs_ready=true
      fi
      if [[ "$last_status" != "$previous" ]]; then
        log "${previous:-(new)} -> $last_status"
        previous=$last_status
        last_heartbeat=$SECONDS
      fi
      pump_logs || true
      if [[ "$last_status" == STOPPED ]]; then
        if newer_attempt; then
          previous=''
          logs_ready=false
          log_token=''
          continue
        fi
        concluded && return 1
        return 0
      fi
    fi
    if (( SECONDS - started_at >= timeout )); then
      pump_logs || true
      stop_task "timed out after ${timeout}s"
      conclude timeout "timed out after ${timeout}s waiting for migration $correlation_id (last status ${last_status:-unknown})"
      return 1
    fi
    if (( SECONDS - last_heartbeat >= heartbeat_every )); then
      log "still $last_status ($(elapsed))"
      last_heartbeat=$SECONDS
    fi
    pause "$interval"
  done
}

# newer_attempt: before a stopped task is judged, makes sure that no newer attempt of the same run has
# started meanwhile, so an old success never stands for a new run. Returns 0, with task_arn on the newer
# task, when there is one.
newer_attempt() {
  local followed=$task_arn
  find_task || { task_arn=$followed; return 1; }
  [[ "$task_arn" != "$followed" ]]
}

# judge_task: what the stopped task means (contract section 3).
judge_task() {
  drain_logs
  console_link
  container_state
  if [[ "$stop_code" == TaskFailedToStart ]]; then
    conclude not_started "the task failed to start: ${container_reason:-$stopped_reason}${container_reason:+ ($stopped_reason)}"
  elif [[ -z "$exit_code" ]]; then
    conclude not_started "container $container stopped without an exit code (stop code ${stop_code:-none}: ${container_reason:-$stopped_reason})"
  elif [[ "$exit_code" == 0 ]]; then
    conclude succeeded "migration $correlation_id succeeded: container $container exited 0 after $(elapsed)"
  else
    conclude failed "migration $correlation_id failed: container $container exited $exit_code${container_reason:+ ($container_reason)}; stop code ${stop_code:-none}: ${stopped_reason:-no reason given}"
  fi
}

main() {
  local status=0
  parse_args "$@" || status=$?
  if (( status != 0 )); then
    [[ "$validate_only" == true ]] || result_line usage_error 2 none none "${correlation_id:-none}"
    return "$status"
  fi
  [[ "$validate_only" == false ]] || return 0
  [[ -n "$region" ]] || region=$(aws configure get region 2>/dev/null || true)
  if [[ "${GITHUB_ACTIONS:-}" == true ]]; then
    fence_token=$(random_token)
    printf '::stop-commands::%s\n' "$fence_token"
  fi
  trap on_signal INT TERM
  if find_table && await_task && follow_task; then
    judge_task
  fi
  finish
}

main "$@"
