package dev.ecsmigrate.start;

import dev.ecsmigrate.contract.TaskDefinitionArn;

/**
 * A validated request to run one migration.
 *
 * @param eventId        the EventBridge event id
 * @param correlationId  names this run: the task's {@code startedBy} and its idempotency key
 * @param taskDefinition the task definition to run
 * @param dryRun         validate and report, but start nothing
 */
public record MigrationRequest(String eventId, String correlationId, TaskDefinitionArn taskDefinition, boolean dryRun) {
}
