#!/usr/bin/env bash
# Shared by the pipeline scripts: logging, AWS calls that survive throttling and say what failed, and the
# runner's status.
# Needs bash 4+ and the aws CLI (v1 or v2). jq is never required.

# shellcheck source=scripts/lib/contract.sh
source "${BASH_SOURCE[0]%/*}/contract.sh"

now_utc() { date -u +%Y-%m-%dT%H:%M:%SZ; }
now_ms() { printf '%s000' "$(date +%s)"; }
log() { printf '%s  %s\n' "$(now_utc)" "$*"; }
warn() { printf '%s  warning: %s\n' "$(now_utc)" "$*" >&2; }

# The script a user ran: migrate.sh names itself in the usage errors of the scripts it runs for it.
SCRIPT_NAME=${MIGRATION_SCRIPT_NAME:-${0##*/}}

# usage_error MESSAGE: prints the message and a pointer to --help, and returns 2 for the caller to pass on.
# Nothing has been sent when it is called.
usage_error() {
  printf '%s: %s\nRun %s --help for usage.\n' "$SCRIPT_NAME" "$1" "$SCRIPT_NAME" >&2
  return 2
}

# result_line RESULT EXIT_CODE [TASK_ARN] [STOP_CODE] [CORRELATION_ID]: the machine-readable last line that
# ends every outcome (CONTRACT.md section 3); under GitHub Actions, the same values go to $GITHUB_OUTPUT.
result_line() {
  local result=$1 code=$2 task=${3:-none} stop=${4:-none} correlation=${5:-none}
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'task_arn=%s\nexit_code=%s\nresult=%s\ncorrelation_id=%s\n' "${task/#none/}" "$code" "$result" \
      "${correlation/#none/}" >>"$GITHUB_OUTPUT"
  fi
  printf 'result=%s exit_code=%s task_arn=%s stop_code=%s correlation_id=%s\n' "$result" "$code" "$task" "$stop" "$correlation"
}

# expand_flags "FLAG ..." ARGS...: ARGS with every --flag=value of the named flags split into --flag value,
# in the array EXPANDED, so that both forms work.
expand_flags() {
  local flags=" $1 " arg
  shift
  EXPANDED=()
  for arg in "$@"; do
    if [[ "$arg" == --*=* && "$flags" == *" ${arg%%=*} "* ]]; then
      EXPANDED+=("${arg%%=*}" "${arg#*=}")
    else
      EXPANDED+=("$arg")
    fi
  done
}

# is_boolean VALUE: true or false, as the environment variables that stand for switches take them.
is_boolean() { [[ "$1" == true || "$1" == false ]]; }

# cli_region: the region the aws CLI will use, or nothing when it has none.
cli_region() {
  printf '%s' "${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}"
}

# random_token: 32 hex characters from the kernel's random source, for a stop-commands fence.
random_token() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# workflow_command_data TEXT: the text as the data of a GitHub workflow command (%, CR and LF escaped),
# so that it ends up in the command and nowhere else.
workflow_command_data() {
  local text=${1//%/%25}
  text=${text//$'\r'/%0D}
  printf '%s' "${text//$'\n'/%0A}"
}

# fenced COMMAND...: runs a command that prints text from outside (a runner's reason, a container's logs)
# with GitHub's workflow commands stopped, so that the text cannot command the runner.
fenced() {
  if [[ "${GITHUB_ACTIONS:-}" != true ]]; then
    "$@"
    return
  fi
  local token status=0
  token=$(random_token)
  printf '::stop-commands::%s\n' "$token"
  "$@" || status=$?
  printf '::%s::\n' "$token"
  return "$status"
}

# markdown_cell TEXT: the text as one cell of a Markdown table in a step summary: one line, no table
# syntax, no HTML.
markdown_cell() {
  # The replacements are quoted: bash 5.2 would read a bare & in them as the matched text.
  local text=${1//&/"&amp;"}
  text=${text//</"&lt;"}
  text=${text//>/"&gt;"}
  text=${text//|/\\|}
  text=${text//$'\r'/ }
  printf '%s' "${text//$'\n'/ }"
}

is_positive_number() { [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 > 0 )); }

# pause SECONDS: a sleep that a trapped SIGINT/SIGTERM interrupts at once.
pause() {
  sleep "$1" &
  wait "$!" 2>/dev/null || true
}

# aws_error_kind MESSAGE: what a failed call means. "transient": throttling or the server's own trouble,
# worth another try; "network": AWS cannot be reached; "credentials": there are no usable credentials;
# "refused": AWS answered no, and asking again will not change that.
aws_error_kind() {
  case "$1" in
    *"Unable to locate credentials"* | *NoCredentials* | *"Partial credentials"* | *ExpiredToken* | *InvalidClientTokenId* \
      | *UnrecognizedClient* | *"security token included in the request is invalid"* | *SignatureDoesNotMatch* \
      | *InvalidSignatureException* | *"config profile"*"could not be found"* | *"SSO Token"* | *"Token has expired"*)
      printf 'credentials' ;;
    *"Could not connect to the endpoint URL"* | *"Connect timeout on endpoint URL"* | *"Read timeout on endpoint URL"* \
      | *"Connection was closed"* | *EndpointConnectionError* | *"Name or service not known"* \
      | *"Temporary failure in name resolution"* | *"SSL validation failed"* | *"Connection reset"*)
      printf 'network' ;;
    *Throttl* | *"Rate exceeded"* | *TooManyRequests* | *RequestLimitExceeded* | *ServiceUnavailable* | *InternalFailure* \
      | *ServerException* | *"(500)"* | *"(502)"* | *"(503)"* | *"(504)"*)
      printf 'transient' ;;
    *) printf 'refused' ;;
  esac
}

# The CLI gives up on a silent endpoint within seconds rather than a minute, and leaves retries to
# aws_call, which knows what each failure means.
export AWS_RETRY_MODE=${AWS_RETRY_MODE:-standard}
export AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-2}
AWS_CLI_OPTIONS=(--cli-connect-timeout 5 --cli-read-timeout 10)
AWS_OUTPUT=''
AWS_ERROR=''
AWS_ERROR_KIND=''
AWS_CALL_PID=''
AWS_MAX_ATTEMPTS_WRAPPER=${MIGRATION_AWS_ATTEMPTS:-8}
# How long a call keeps trying an endpoint it cannot reach, in seconds.
AWS_NETWORK_WAIT=${MIGRATION_NETWORK_WAIT:-20}

# aws_call ARGS...: runs `aws ARGS` and keeps its output in AWS_OUTPUT. Throttling and 5xx are retried
# with backoff, an unreachable endpoint for at most AWS_NETWORK_WAIT seconds. On failure it returns 1 with
# the CLI's message in AWS_ERROR and its meaning in AWS_ERROR_KIND (see aws_error_kind).
# It sets globals rather than printing, so callers keep AWS_ERROR (a $(...) subshell would lose it). The
# CLI runs in the background so that a trapped SIGINT/SIGTERM is handled at once, not after the call.
aws_call() {
  local attempt=1 delay=1 status started=$SECONDS out err
  out=$(mktemp)
  err=$(mktemp)
  while :; do
    aws "${AWS_CLI_OPTIONS[@]}" "$@" >"$out" 2>"$err" &
    AWS_CALL_PID=$!
    status=0
    wait "$AWS_CALL_PID" || status=$?
    AWS_CALL_PID=''
    if (( status == 0 )); then
      AWS_OUTPUT=$(<"$out")
      AWS_ERROR=''
      AWS_ERROR_KIND=''
      rm -f "$out" "$err"
      return 0
    fi
    AWS_ERROR=$(tr '\n' ' ' <"$err")
    AWS_ERROR_KIND=$(aws_error_kind "$AWS_ERROR")
    if { [[ "$AWS_ERROR_KIND" == transient ]] && (( attempt < AWS_MAX_ATTEMPTS_WRAPPER )); } \
        || { [[ "$AWS_ERROR_KIND" == network ]] && (( SECONDS - started + delay < AWS_NETWORK_WAIT )); }; then
      warn "aws $1 $2: ${AWS_ERROR:0:160}; trying again in ${delay}s (attempt $((attempt + 1)))"
      pause "$delay"
      attempt=$((attempt + 1))
      delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
      continue
    fi
    rm -f "$out" "$err"
    AWS_OUTPUT=''
    return 1
  done
}

# aws_call_stop: ends a call still running in the background, for a signal handler that is about to exit.
aws_call_stop() {
  [[ -z "$AWS_CALL_PID" ]] || kill "$AWS_CALL_PID" 2>/dev/null || true
  AWS_CALL_PID=''
}

# aws_failure_advice: for a network or credentials failure, one sentence that says what it is and what
# to do; nothing for other failures.
aws_failure_advice() {
  case "$AWS_ERROR_KIND" in
    network)
      printf 'cannot reach AWS: %s. Check the network, the region (%s) and AWS_ENDPOINT_URL if you set one' \
        "${AWS_ERROR:0:200}" "${AWS_REGION:-${AWS_DEFAULT_REGION:-not set}}" ;;
    credentials)
      printf 'no usable AWS credentials: %s. Give this step credentials (for example with aws-actions/configure-aws-credentials), and check that the role may be assumed' \
        "${AWS_ERROR:0:200}" ;;
  esac
}

# runner_table FUNCTION: the runner's table of locks and run records, from the function's configuration.
# Prints nothing when it cannot be read (the caller says what to do).
runner_table() {
  if aws_call lambda get-function-configuration --function-name "$1" --query 'Environment.Variables.TABLE_NAME' --output text \
      && [[ -n "$AWS_OUTPUT" && "$AWS_OUTPUT" != None ]]; then
    printf '%s' "$AWS_OUTPUT"
  fi
}

RUN_STATUS=''
RUN_TASK=''
RUN_BLOCKING_TASK=''
RUN_BLOCKING_RUN=''
RUN_CONTAINER=''
RUN_REASON=''

# read_run TABLE CORRELATION_ID: reads the run's record (one strongly consistent GetItem) into RUN_STATUS,
# RUN_TASK, RUN_BLOCKING_TASK, RUN_BLOCKING_RUN, RUN_CONTAINER and RUN_REASON; all empty while there is
# none. Returns 1 when the table cannot be read, with the CLI's message in AWS_ERROR.
read_run() {
  RUN_STATUS='' RUN_TASK='' RUN_BLOCKING_TASK='' RUN_BLOCKING_RUN='' RUN_CONTAINER='' RUN_REASON=''
  # The correlation id holds only A-Z a-z 0-9 _ - /, so it goes into the key's JSON as it is.
  aws_call dynamodb get-item --table-name "$1" --consistent-read --key "{\"id\":{\"S\":\"$2\"}}" \
      --query 'Item.[status.S, task_arn.S, blocking_task_arn.S, blocking_correlation_id.S, container.S, reason.S]' \
      --output text || return 1
  [[ -n "$AWS_OUTPUT" && "$AWS_OUTPUT" != None ]] || return 0
  # shellcheck disable=SC2034 # the RUN_ variables are for the scripts that source this file
  IFS=$'\t' read -r RUN_STATUS RUN_TASK RUN_BLOCKING_TASK RUN_BLOCKING_RUN RUN_CONTAINER RUN_REASON <<<"$AWS_OUTPUT"
  local field
  for field in RUN_STATUS RUN_TASK RUN_BLOCKING_TASK RUN_BLOCKING_RUN RUN_CONTAINER RUN_REASON; do
    [[ "${!field}" != None ]] || printf -v "$field" '%s' ''
  done
}
