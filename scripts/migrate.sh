#!/usr/bin/env bash
# The one pipeline step: put the migration event, then wait for the task and exit with its exit code.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: migrate.sh --task-definition ARN|FAMILY:REVISION|FAMILY --cluster NAME [options]

Puts the migration event (put-migration-event.sh), then follows the task (wait-for-migration.sh)
and exits with the migration container's exit code.

Event options:
  --task-definition VALUE   task-definition ARN, FAMILY:REVISION or FAMILY   [env MIGRATION_TASK_DEFINITION]
  --correlation-id ID       names the run (default: gh-RUNID-ATTEMPT, else random) [env MIGRATION_CORRELATION_ID]
  --event-bus NAME          the runner's trigger bus (default: default)       [env MIGRATION_EVENT_BUS]
  --dry-run                 validate only; with --table or --function-name, print the runner's verdict

Wait options:
  --cluster NAME            [env MIGRATION_CLUSTER]         --timeout SECONDS (default 3600)
  --start-timeout SECONDS   (default 300)                   --interval SECONDS (default 6)
  --container NAME          --table NAME                    --function-name NAME
  --no-logs                 --no-stop

Exit codes: 0 success; N the container's own exit code; 2 usage error (nothing sent);
124 timed out; 125 never ran (rejected, not found, failed to start); 130 interrupted.
See wait-for-migration.sh --help for details.
USAGE
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"

put_args=()
wait_args=()
dry_run=false
has_correlation_id=false
function_name=${MIGRATION_FUNCTION_NAME:-}
table=${MIGRATION_TABLE:-}
start_timeout=${MIGRATION_START_TIMEOUT:-300}

parse_args() {
  while (( $# > 0 )); do
    case "$1" in
      --task-definition|--correlation-id|--event-bus)
        [[ $# -ge 2 ]] || { usage_error "$1 needs a value"; return; }
        put_args+=("$1" "$2")
        if [[ "$1" == --correlation-id ]]; then
          wait_args+=("$1" "$2")
          has_correlation_id=true
        fi
        shift 2 ;;
      --dry-run) dry_run=true; put_args+=("$1"); shift ;;
      --cluster|--timeout|--start-timeout|--interval|--container|--function-name|--table)
        [[ $# -ge 2 ]] || { usage_error "$1 needs a value"; return; }
        [[ "$1" == --function-name ]] && function_name=$2
        [[ "$1" == --table ]] && table=$2
        [[ "$1" == --start-timeout ]] && start_timeout=$2
        wait_args+=("$1" "$2")
        shift 2 ;;
      --no-logs|--no-stop) wait_args+=("$1"); shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown argument '$1'"; return ;;
    esac
  done
  # Every flag is checked before anything is sent, so a typo never starts a migration.
  "$here/wait-for-migration.sh" --validate-only "${wait_args[@]}" || return 2
}

# dry_run_verdict CORRELATION_ID: with the runner's table, waits for its verdict on the dry run.
dry_run_verdict() {
  local correlation_id=$1 deadline code
  [[ -n "$table" || -z "$function_name" ]] || table=$(runner_table "$function_name")
  if [[ -z "$table" ]]; then
    log "dry run sent; nothing will start. Pass --table (or --function-name) to see the runner's verdict."
    printf 'result=dry_run exit_code=0 task_arn=none stop_code=none correlation_id=%s\n' "$correlation_id"
    return 0
  fi
  deadline=$(( SECONDS + start_timeout ))
  while (( SECONDS < deadline )); do
    if read_run "$table" "$correlation_id" && [[ -n "$RUN_STATUS" ]]; then
      # The reason echoes the event; under GitHub Actions it is printed with workflow commands stopped.
      fenced log "runner: $RUN_STATUS: $RUN_REASON"
      code=125
      [[ "$RUN_STATUS" == DRY_RUN ]] && code=0
      printf 'result=%s exit_code=%s task_arn=none stop_code=none correlation_id=%s\n' \
        "$(tr '[:upper:]' '[:lower:]' <<<"$RUN_STATUS")" "$code" "$correlation_id"
      return "$code"
    fi
    pause 3
  done
  log "no verdict from the runner in table $table within ${start_timeout}s"
  printf 'result=not_started exit_code=125 task_arn=none stop_code=none correlation_id=%s\n' "$correlation_id"
  return 125
}

main() {
  parse_args "$@" || return
  local sent code=0 correlation_id
  sent=$("$here/put-migration-event.sh" "${put_args[@]}") || code=$?
  case "$code" in
    0) ;;
    2) return 2 ;;
    3) printf 'result=error exit_code=125 task_arn=none stop_code=none correlation_id=none\n'; return 125 ;;
    *) printf 'result=not_started exit_code=125 task_arn=none stop_code=none correlation_id=none\n'; return 125 ;;
  esac
  printf '%s\n' "$sent"
  [[ "$sent" =~ correlation_id=([^ ]+) ]] && correlation_id=${BASH_REMATCH[1]}

  if [[ "$dry_run" == true ]]; then
    dry_run_verdict "$correlation_id"
    return
  fi
  [[ "$has_correlation_id" == true ]] || wait_args+=(--correlation-id "$correlation_id")
  exec "$here/wait-for-migration.sh" "${wait_args[@]}"
}

main "$@"
