#!/usr/bin/env bash
# Puts the "run this migration" event on EventBridge and prints the run's correlation id and event id.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: put-migration-event.sh --task-definition ARN|FAMILY:REVISION|FAMILY [options]

Puts the runner's trigger event (source ecs.migration, detail-type "AWS ECS Migration Task").

  --task-definition VALUE  a full task-definition ARN, FAMILY:REVISION, or FAMILY (its latest
                           ACTIVE revision); the short forms are resolved with describe-task-definition
                           [env MIGRATION_TASK_DEFINITION]
  --correlation-id ID      names this run; becomes the task's startedBy. 1-36 of A-Z a-z 0-9 _ - /
                           Default: gh-RUNID-ATTEMPT under GitHub Actions, cb-BUILDUUID under
                           CodeBuild, else a random id
                           [env MIGRATION_CORRELATION_ID]
  --event-bus NAME         the bus the runner's rule listens on (default: default) [env MIGRATION_EVENT_BUS]
  --dry-run                ask the runner to validate and report, starting nothing [env MIGRATION_DRY_RUN=true]
  -h, --help               this text
Every flag also takes the --flag=value form.

Prints, on success, one line:  correlation_id=ID event_id=ID task_definition=ARN
On failure, the last line is result=... exit_code=N (as wait-for-migration.sh's). Exit codes: 0 sent;
1 AWS refused (the message says why); 2 usage error, nothing sent; 3 AWS could not be reached, or there
are no usable credentials (nothing was sent).
Region and credentials come from the aws CLI's usual settings (AWS_REGION, AWS_PROFILE, ...).
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

task_definition=${MIGRATION_TASK_DEFINITION:-}
correlation_id=${MIGRATION_CORRELATION_ID:-}
event_bus=${MIGRATION_EVENT_BUS:-default}
dry_run=${MIGRATION_DRY_RUN:-false}
validate_only=false

parse_args() {
  expand_flags "--task-definition --correlation-id --event-bus" "$@"
  set -- "${EXPANDED[@]}"
  while (( $# > 0 )); do
    case "$1" in
      --task-definition|--correlation-id|--event-bus)
        [[ $# -ge 2 ]] || { usage_error "$1 needs a value"; return; }
        case "$1" in
          --task-definition) task_definition=$2 ;;
          --correlation-id) correlation_id=$2 ;;
          --event-bus) event_bus=$2 ;;
        esac
        shift 2 ;;
      --dry-run) dry_run=true; shift ;;
      --validate-only) validate_only=true; shift ;;  # used by migrate.sh to check flags before sending
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown argument '$1'"; return ;;
    esac
  done
  is_boolean "$dry_run" || { usage_error "MIGRATION_DRY_RUN must be true or false, got '$dry_run'"; return; }

  [[ -n "$task_definition" ]] \
    || { usage_error "--task-definition is required (a task-definition ARN, FAMILY:REVISION or FAMILY)"; return; }
  [[ "$task_definition" =~ ^(arn:[a-z-]+:ecs:[a-z0-9-]+:[0-9]{12}:task-definition/)?[A-Za-z0-9_-]{1,255}(:[1-9][0-9]*)?$ ]] \
    || { usage_error "--task-definition must be a task-definition ARN, FAMILY:REVISION or FAMILY, got '$task_definition'"; return; }
  [[ "$event_bus" =~ ^[A-Za-z0-9._/:-]{1,1600}$ ]] \
    || { usage_error "--event-bus must be an event bus name or ARN, got '$event_bus'"; return; }
  local region arn_region
  region=$(cli_region)
  if [[ "$task_definition" =~ ^arn:[a-z-]+:ecs:([a-z0-9-]+): ]]; then
    arn_region=${BASH_REMATCH[1]}
    [[ -z "$region" || "$arn_region" == "$region" ]] || { usage_error "--task-definition is in region $arn_region, but the aws CLI is set to $region: the runner only starts task definitions of its own region, so set AWS_REGION=$arn_region (or send the event to the runner deployed there)"; return; }
  fi
  if [[ -z "$correlation_id" ]]; then
    correlation_id=$(default_correlation_id)
  fi
  [[ "$correlation_id" =~ $CORRELATION_ID_PATTERN ]] \
    || { usage_error "--correlation-id must be $CORRELATION_ID_RULE (the limit ECS puts on startedBy), got '$correlation_id'"; return; }
}

# unreachable: says so, and returns 0, when the last call failed because AWS cannot be reached or there
# are no usable credentials.
unreachable() {
  local advice
  advice=$(aws_failure_advice)
  [[ -n "$advice" ]] || return 1
  printf 'error: %s\n' "$advice" >&2
}

# failure_result EXIT_CODE: the result word of a failure: AWS said no, or AWS could not be asked.
failure_result() {
  if (( $1 == 3 )); then printf 'error'; else printf 'not_started'; fi
}

# resolve_task_definition: a full ARN with a revision is used as it is; anything shorter is resolved,
# so that the event names exactly one revision.
resolve_task_definition() {
  [[ ! "$task_definition" =~ ^arn:.*:[1-9][0-9]*$ ]] || return 0
  if ! aws_call ecs describe-task-definition --task-definition "${task_definition##*task-definition/}" \
      --query 'taskDefinition.taskDefinitionArn' --output text; then
    unreachable && return 3
    printf 'error: cannot resolve task definition %s: %s\n' "$task_definition" "$AWS_ERROR" >&2
    printf 'Check the family name and revision (aws ecs list-task-definitions --family-prefix NAME), and the region.\n' >&2
    return 1
  fi
  task_definition=$AWS_OUTPUT
}

# put_event: puts the trigger event; prints EventBridge's event id.
put_event() {
  local detail entries failed event_id error_code error_message
  detail="{\"taskdef_arn\":\"$task_definition\",\"correlation_id\":\"$correlation_id\""
  [[ "$dry_run" == false ]] || detail+=',"dry_run":true'
  detail+='}'
  # The detail travels as a JSON string inside the entry, so its quotes are escaped once more.
  entries=$(mktemp)
  printf '[{"Source":"%s","DetailType":"%s","EventBusName":"%s","Detail":"%s"}]\n' \
    "$MIGRATION_SOURCE" "$MIGRATION_TRIGGER_DETAIL_TYPE" "$event_bus" "${detail//\"/\\\"}" >"$entries"
  if ! aws_call events put-events --entries "file://$entries" \
      --query '[FailedEntryCount, Entries[0].EventId, Entries[0].ErrorCode, Entries[0].ErrorMessage]' --output text; then
    rm -f "$entries"
    unreachable && return 3
    printf 'error: put-events failed: %s\n' "$AWS_ERROR" >&2
    printf 'Check that the bus %s exists in this region and that you may call events:PutEvents on it.\n' "$event_bus" >&2
    return 1
  fi
  rm -f "$entries"
  IFS=$'\t' read -r failed event_id error_code error_message <<<"$AWS_OUTPUT"
  if [[ "$failed" != 0 ]]; then
    printf 'error: EventBridge refused the event (FailedEntryCount=%s): %s: %s\n' "$failed" "$error_code" "$error_message" >&2
    return 1
  fi
  printf '%s' "$event_id"
}

main() {
  local event_id status=0
  parse_args "$@" || status=$?
  (( status == 0 )) || { [[ "$validate_only" == true ]] || result_line usage_error 2; return "$status"; }
  [[ "$validate_only" == false ]] || return 0
  resolve_task_definition || status=$?
  (( status == 0 )) || { result_line "$(failure_result "$status")" "$status"; return "$status"; }
  event_id=$(put_event) || status=$?
  (( status == 0 )) || { result_line "$(failure_result "$status")" "$status"; return "$status"; }
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'correlation_id=%s\nevent_id=%s\ntask_definition=%s\n' "$correlation_id" "$event_id" "$task_definition" >>"$GITHUB_OUTPUT"
  fi
  printf 'correlation_id=%s event_id=%s task_definition=%s\n' "$correlation_id" "$event_id" "$task_definition"
}

main "$@"
