package dev.ecsmigrate.contract;

import java.util.regex.Pattern;

/**
 * The names users build pipelines and alarms on (CONTRACT.md). The pipeline scripts hold the same
 * values in {@code scripts/lib/contract.sh}; {@code ContractScriptsTest} proves that they agree.
 */
public final class Contract {

    /** The {@code source} of every event the runner receives or publishes. */
    public static final String SOURCE = "ecs.migration";
    /** The {@code detail-type} of the trigger event: "run this migration". */
    public static final String TRIGGER_DETAIL_TYPE = "AWS ECS Migration Task";
    /** The {@code detail-type} of the runner's status event; the trigger rule never matches it. */
    public static final String STATUS_DETAIL_TYPE = "AWS ECS Migration Task Status";
    /** The {@code detail-type} of the event that says how a migration task ended (CONTRACT.md section 5). */
    public static final String COMPLETED_DETAIL_TYPE = "AWS ECS Migration Task Completed";

    /** The CloudWatch namespace of the runner's metrics; their dimensions are Cluster and Family. */
    public static final String METRIC_NAMESPACE = "ECSMigrationRunner";

    /** Tag keys on every migration task; users find runs by them. */
    public static final String CORRELATION_ID_TAG = "ecs-migration:correlation-id";
    public static final String EVENT_ID_TAG = "ecs-migration:event-id";

    /** The task group that marks a task as a family's migration and tells it from the service's tasks. */
    public static final String TASK_GROUP_PREFIX = "migration:";

    /** The characters ECS allows in {@code startedBy}, as a regular-expression character class body. */
    public static final String CORRELATION_ID_CHARACTERS = "A-Za-z0-9_/-";
    /** The longest {@code startedBy} ECS allows. */
    public static final int CORRELATION_ID_MAX_LENGTH = 36;
    /** A correlation id: it becomes the task's {@code startedBy}, so it obeys ECS's limit on that field. */
    public static final Pattern CORRELATION_ID = Pattern.compile("[" + CORRELATION_ID_CHARACTERS + "]{1," + CORRELATION_ID_MAX_LENGTH + "}");
    /** The rule in words, for reasons and usage errors. */
    public static final String CORRELATION_ID_RULE = "1-" + CORRELATION_ID_MAX_LENGTH + " characters from A-Z a-z 0-9 _ - /";

    private Contract() {
    }

    /** The task group of a family's migration tasks. */
    public static String taskGroup(String family) {
        return TASK_GROUP_PREFIX + family;
    }

    /** The family a migration task group names, or null when the group is not a migration's. */
    public static String familyOfGroup(String group) {
        return group != null && group.startsWith(TASK_GROUP_PREFIX) && group.length() > TASK_GROUP_PREFIX.length()
                ? group.substring(TASK_GROUP_PREFIX.length()) : null;
    }
}
