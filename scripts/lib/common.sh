#!/usr/bin/env bash
# Shared by the pipeline scripts: logging, AWS calls that survive throttling, and the runner's status.
# Needs bash 4+ and the aws CLI (v1 or v2). jq is never required.

# shellcheck source=scripts/lib/contract.sh
source "${BASH_SOURCE[0]%/*}/contract.sh"

now_utc() { date -u +%Y-%m-%dT%H:%M:%SZ; }
now_ms() { printf '%s000' "$(date +%s)"; }
log() { printf '%s  %s\n' "$(now_utc)" "$*"; }
warn() { printf '%s  warning: %s\n' "$(now_utc)" "$*" >&2; }

# usage_error MESSAGE: prints the message and a pointer to --help, and returns 2 for the caller to pass on.
# Nothing has been sent when it is called.
usage_error() {
  printf '%s: %s\nRun %s --help for usage.\n' "${0##*/}" "$1" "${0##*/}" >&2
  return 2
}

is_positive_number() { [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 > 0 )); }

# pause SECONDS: a sleep that a trapped SIGINT/SIGTERM interrupts at once.
pause() {
  sleep "$1" &
  wait "$!" 2>/dev/null || true
}

# Errors worth another try: throttling and the server's own trouble.
is_transient_error() {
  [[ "$1" =~ Throttl|Rate\ exceeded|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalFailure|ServerException|\(500\)|\(502\)|\(503\)|\(504\)|timed\ out|Could\ not\ connect|Connection\ was\ closed ]]
}

AWS_OUTPUT=''
AWS_ERROR=''
AWS_MAX_ATTEMPTS_WRAPPER=${MIGRATION_AWS_ATTEMPTS:-8}

# aws_call ARGS...: runs `aws ARGS` and keeps its output in AWS_OUTPUT; retries throttling and 5xx
# with backoff. On any other failure, returns 1 with the CLI's message in AWS_ERROR.
# It sets globals rather than printing, so callers keep AWS_ERROR (a $(...) subshell would lose it).
aws_call() {
  local attempt=1 delay=1 errors
  errors=$(mktemp)
  while :; do
    if AWS_OUTPUT=$(aws "$@" 2>"$errors"); then
      rm -f "$errors"
      AWS_ERROR=''
      return 0
    fi
    AWS_ERROR=$(tr '\n' ' ' <"$errors")
    if is_transient_error "$AWS_ERROR" && (( attempt < AWS_MAX_ATTEMPTS_WRAPPER )); then
      warn "aws $1 $2: ${AWS_ERROR:0:160}; trying again in ${delay}s (attempt $((attempt + 1)) of $AWS_MAX_ATTEMPTS_WRAPPER)"
      pause "$delay"
      attempt=$((attempt + 1))
      delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
      continue
    fi
    rm -f "$errors"
    AWS_OUTPUT=''
    return 1
  done
}

# runner_log_group FUNCTION: the function's log group, from its logging config, else Lambda's default.
runner_log_group() {
  if aws_call lambda get-function-configuration --function-name "$1" --query 'LoggingConfig.LogGroup' --output text 2>/dev/null \
      && [[ -n "$AWS_OUTPUT" && "$AWS_OUTPUT" != None ]]; then
    printf '%s\n' "$AWS_OUTPUT"
  else
    printf '/aws/lambda/%s\n' "${1##*:function:}"
  fi
}

# runner_status LOG_GROUP CORRELATION_ID SINCE_MS: the runner's last status line for this run, or nothing.
# Lambda's JSON log format wraps our JSON line in a string, so escaped quotes are undone first.
runner_status() {
  aws_call logs filter-log-events --log-group-name "$1" --start-time "$3" \
      --filter-pattern "\"$2\"" --query 'events[].[message]' --output text 2>/dev/null || return 0
  printf '%s\n' "$AWS_OUTPUT" | sed 's/\\"/"/g' | grep -E "\"correlation_id\": ?\"$2\"" | grep -E '"status": ?"' | tail -n 1
}

# json_field JSON NAME: a string field of a flat JSON object, without jq.
json_field() {
  printf '%s' "$1" | sed -n "s/.*\"$2\": *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}
