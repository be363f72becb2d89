#!/usr/bin/env bash
# The one pipeline step: put the migration event, then wait for the task and exit with its exit code.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: migrate.sh --task-definition ARN|FAMILY:REVISION|FAMILY --cluster NAME [options]

Puts the migration event (put-migration-event.sh), then follows the task (wait-for-migration.sh)
and exits with the migration container's exit code. Every flag is checked before anything is sent,
and every flag also takes the --flag=value form.

Event options:
  --task-definition VALUE   task-definition ARN, FAMILY:REVISION or FAMILY   [env MIGRATION_TASK_DEFINITION]
  --correlation-id ID       names the run (default: gh-RUNID-ATTEMPT under GitHub Actions,
                            cb-BUILDUUID under CodeBuild, else random)      [env MIGRATION_CORRELATION_ID]
  --event-bus NAME          the runner's trigger bus (default: default)       [env MIGRATION_EVENT_BUS]
  --dry-run                 validate only; with --table or --function-name, print the runner's verdict
                                                                              [env MIGRATION_DRY_RUN=true]
Wait options:
  --cluster NAME            the runner's cluster                              [env MIGRATION_CLUSTER]
  --timeout SECONDS         the whole wait (default 3600)                     [env MIGRATION_TIMEOUT]
  --start-timeout SECONDS   how long the task may take to appear (default 300) [env MIGRATION_START_TIMEOUT]
  --interval SECONDS        time between polls (default 6)                    [env MIGRATION_INTERVAL]
  --container NAME          the migration container                           [env MIGRATION_CONTAINER]
  --table NAME              the runner's table of run records (stack output RunTable) [env MIGRATION_TABLE]
  --function-name NAME      the runner function: checked before sending, and used to find its table
                                                                              [env MIGRATION_FUNCTION_NAME]
  --no-logs                 do not stream the container's logs                [env MIGRATION_LOGS=false]
  --no-stop                 on timeout or interruption, leave the task running [env MIGRATION_STOP_ON_CANCEL=false]

Exit codes: 0 success; N the container's own exit code; 2 usage error (nothing sent);
124 timed out; 125 never ran (rejected, not found, failed to start) or AWS could not be reached;
130 interrupted. The last line is always result=... (see wait-for-migration.sh --help).
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ! -r "$here/lib/common.sh" ]]; then
  printf '%s: %s/lib/ is missing: copy the whole scripts/ folder (the scripts share lib/), or use the GitHub Action\n' "${0##*/}" "$here" >&2
  printf 'result=error exit_code=125 task_arn=none stop_code=none correlation_id=none\n'
  exit 125
fi
# The scripts this one runs name it in their usage errors.
export MIGRATION_SCRIPT_NAME=${MIGRATION_SCRIPT_NAME:-migrate.sh}
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"

put_args=()
wait_args=()
dry_run=${MIGRATION_DRY_RUN:-false}
function_name=${MIGRATION_FUNCTION_NAME:-}
table=${MIGRATION_TABLE:-}
start_timeout=${MIGRATION_START_TIMEOUT:-300}

parse_args() {
  expand_flags "--task-definition --correlation-id --event-bus --cluster --timeout --start-timeout --interval --container --function-name --table" "$@"
  set -- "${EXPANDED[@]}"
  while (( $# > 0 )); do
    case "$1" in
      --task-definition|--correlation-id|--event-bus)
        [[ $# -ge 2 ]] || { usage_error "$1 needs a value"; return; }
        put_args+=("$1" "$2")
        [[ "$1" != --correlation-id ]] || wait_args+=("$1" "$2")
        shift 2 ;;
      --dry-run) dry_run=true; shift ;;
      --cluster|--timeout|--start-timeout|--interval|--container|--function-name|--table)
        [[ $# -ge 2 ]] || { usage_error "$1 needs a value"; return; }
        case "$1" in
          --function-name) function_name=$2 ;;
          --table) table=$2 ;;
          --start-timeout) start_timeout=$2; wait_args+=("$1" "$2") ;;
          *) wait_args+=("$1" "$2") ;;
        esac
        shift 2 ;;
      --no-logs|--no-stop) wait_args+=("$1"); shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown argument '$1'"; return ;;
    esac
  done
  is_boolean "$dry_run" || { usage_error "MIGRATION_DRY_RUN must be true or false, got '$dry_run'"; return; }
  [[ "$dry_run" == false ]] || put_args+=(--dry-run)
  # Every flag is checked before anything is sent, so a typo never starts a migration.
  "$here/wait-for-migration.sh" --validate-only "${wait_args[@]}" || return 2
  "$here/put-migration-event.sh" --validate-only "${put_args[@]}" >/dev/null || return 2
}

# check_function: a --function-name that names no function is caught before anything is sent; the
# function's table, unless --table names it, is where the run's record will be.
check_function() {
  [[ -n "$function_name" ]] || return 0
  if aws_call lambda get-function-configuration --function-name "$function_name" \
      --query 'Environment.Variables.TABLE_NAME' --output text; then
    [[ -n "$table" || "$AWS_OUTPUT" == None ]] || table=$AWS_OUTPUT
    return 0
  fi
  if [[ "$AWS_ERROR" =~ ResourceNotFound|Function\ not\ found ]]; then
    usage_error "--function-name '$function_name' names no function in region $(cli_region): use the stack output FunctionName"
    return
  fi
  if [[ -n "$(aws_failure_advice)" ]]; then
    log "error: $(aws_failure_advice)"
    return 3
  fi
  warn "cannot read function $function_name (${AWS_ERROR:0:200}); going on without the runner's verdict. Give this step lambda:GetFunctionConfiguration, or pass --table"
}

# dry_run_verdict CORRELATION_ID: with the runner's table, waits for its verdict on the dry run.
dry_run_verdict() {
  local correlation_id=$1 deadline code
  if [[ -z "$table" ]]; then
    log "dry run sent; nothing will start. Pass --table (or --function-name) to see the runner's verdict."
    result_line dry_run 0 none none "$correlation_id"
    return 0
  fi
  deadline=$(( SECONDS + start_timeout ))
  while (( SECONDS < deadline )); do
    if read_run "$table" "$correlation_id" && [[ -n "$RUN_STATUS" ]]; then
      # The reason echoes the event; under GitHub Actions it is printed with workflow commands stopped.
      fenced log "runner: $RUN_STATUS: $RUN_REASON"
      code=125
      [[ "$RUN_STATUS" == DRY_RUN ]] && code=0
      result_line "$(tr '[:upper:]' '[:lower:]' <<<"$RUN_STATUS")" "$code" none none "$correlation_id"
      return "$code"
    fi
    pause 3
  done
  log "no verdict from the runner in table $table within ${start_timeout}s"
  result_line not_started 125 none none "$correlation_id"
  return 125
}

main() {
  local sent code=0 correlation_id=none
  parse_args "$@" || code=$?
  (( code == 0 )) || { result_line usage_error 2; return 2; }
  check_function || code=$?
  case "$code" in
    0) ;;
    2) result_line usage_error 2; return 2 ;;
    *) result_line error 125; return 125 ;;
  esac
  # put-migration-event.sh's own outputs would repeat in $GITHUB_OUTPUT what this step reports.
  sent=$(GITHUB_OUTPUT='' "$here/put-migration-event.sh" "${put_args[@]}") || code=$?
  case "$code" in
    0) ;;
    2) result_line usage_error 2; return 2 ;;
    3) result_line error 125; return 125 ;;
    *) result_line not_started 125; return 125 ;;
  esac
  printf '%s\n' "$sent"
  [[ "$sent" =~ correlation_id=([^ ]+) ]] && correlation_id=${BASH_REMATCH[1]}

  if [[ "$dry_run" == true ]]; then
    dry_run_verdict "$correlation_id"
    return
  fi
  [[ " ${wait_args[*]} " == *" --correlation-id "* ]] || wait_args+=(--correlation-id "$correlation_id")
  [[ -z "$table" ]] || wait_args+=(--table "$table")
  exec "$here/wait-for-migration.sh" "${wait_args[@]}"
}

main "$@"
