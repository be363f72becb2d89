#!/usr/bin/env bash
# shellcheck disable=SC2034 # the values are for the scripts that source this file
# The names the scripts share with the function (src/main/java/dev/ecsmigrate/contract/Contract.java).
# ContractScriptsTest proves that both hold the same values; change them together, or not at all.

readonly MIGRATION_SOURCE='ecs.migration'
readonly MIGRATION_TRIGGER_DETAIL_TYPE='AWS ECS Migration Task'
readonly MIGRATION_STATUS_DETAIL_TYPE='AWS ECS Migration Task Status'
readonly MIGRATION_CORRELATION_ID_TAG='ecs-migration:correlation-id'
readonly MIGRATION_EVENT_ID_TAG='ecs-migration:event-id'
readonly MIGRATION_TASK_GROUP_PREFIX='migration:'
# The correlation id becomes the task's startedBy, so it obeys ECS's limit on that field.
readonly CORRELATION_ID_PATTERN='^[A-Za-z0-9_/-]{1,36}$'
readonly CORRELATION_ID_RULE='1-36 characters from A-Z a-z 0-9 _ - /'
