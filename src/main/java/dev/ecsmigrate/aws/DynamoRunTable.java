package dev.ecsmigrate.aws;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.start.MigrationLock;
import dev.ecsmigrate.start.RunRecords;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The migration lock and the run records in one DynamoDB table, keyed by {@code id}:
 * <ul>
 *   <li>a family's lock is the item {@code lock#<cluster>#<family>}: holder (correlation id), event_id,
 *       taken_at (epoch milliseconds) and, once RunTask has answered, task_arn;</li>
 *   <li>a run's record is the item keyed by its correlation id (or {@code event#<event id>} when the event
 *       carries no usable correlation id): the status's fields, this run's own task_arn, created_at,
 *       updated_at, deliveries, and expires_at, the table's TTL attribute; once it has started a task,
 *       awaiting (its cluster) until the completion path writes its verdict ({@link DynamoRunLedger}).</li>
 * </ul>
 * Every write that decides something is conditional, and a claim checks the lock and the run's record in
 * one transaction: the lock for another holder, the record for a task this run started before, even if its
 * lock has been given back since. Starting a run costs two round trips: the claim, and then the task on the
 * lock together with the record.
 */
public final class DynamoRunTable implements MigrationLock, RunRecords {

    /** The condition that this item (a lock or a record) names no task. */
    private static final String NO_TASK = "attribute_not_exists(#task)";

    /** Claims that collide with another transaction on the same item are tried again, this often at most. */
    static final int CLAIM_ATTEMPTS = 6;

    private final DynamoDbClient dynamo;
    private final RunnerConfig.Table table;
    private final Clock clock;

    public DynamoRunTable(DynamoDbClient dynamo, RunnerConfig.Table table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }


    /** The key of a status's run record: its correlation id, else its event id. */
    public static String recordKey(MigrationStatus status) {
        String id = status.correlationId();
        return id != null && Contract.CORRELATION_ID.matcher(id).matches() ? id : "event#" + status.eventId();
    }

    @Override
    public Claim claim(Claimant me) {
        DynamoItem lock = new DynamoItem()
                .set("holder", me.correlationId())
                .set("event_id", me.eventId())
                .set("taken_at", clock.millis())
                .set("cluster", me.cluster())
                .set("family", me.family());
        return transactClaim(me, lock, "attribute_not_exists(#id) OR (#holder = :me AND attribute_not_exists(#task))",
                Map.of("#id", "id", "#holder", "holder", "#task", "task_arn"), Map.of(":me", DynamoItem.text(me.correlationId())));
    }

    @Override
    public Claim takeOver(Claimant me, Holder stale) {
        DynamoItem lock = new DynamoItem()
                .set("holder", me.correlationId())
                .set("event_id", me.eventId())
                .set("taken_at", clock.millis())
                .set("cluster", me.cluster())
                .set("family", me.family())
                .remove("task_arn");
        return transactClaim(me, lock, "#holder = :old AND #taken = :then", Map.of("#holder", "holder", "#taken", "taken_at"),
                Map.of(":old", DynamoItem.text(stale.correlationId()), ":then", DynamoItem.number(stale.takenAt().toEpochMilli())));
    }

    private Claim transactClaim(Claimant me, DynamoItem lock, String condition, Map<String, String> conditionNames,
                                Map<String, AttributeValue> conditionValues) {
        String lockId = DynamoItem.lockKey(me.cluster(), me.family());
        Map<String, String> names = new LinkedHashMap<>(lock.names());
        names.putAll(conditionNames);
        Map<String, AttributeValue> values = new LinkedHashMap<>(lock.values());
        values.putAll(conditionValues);
        TransactWriteItem takeLock = TransactWriteItem.builder().update(u -> u.tableName(table.name()).key(DynamoItem.key(lockId))
                .updateExpression(lock.expression()).expressionAttributeNames(names)
                .expressionAttributeValues(values).conditionExpression(condition)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build();
        TransactWriteItem noTaskYet = TransactWriteItem.builder().conditionCheck(c -> c.tableName(table.name())
                .key(DynamoItem.key(me.correlationId())).conditionExpression(NO_TASK).expressionAttributeNames(Map.of("#task", "task_arn"))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build();
        for (int attempt = 1; ; attempt++) {
            try {
                dynamo.transactWriteItems(t -> t.transactItems(takeLock, noTaskYet));
                return new Taken();
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                if (failed(reasons, 1)) {
                    Map<String, AttributeValue> record = reasons.get(1).hasItem() && !reasons.get(1).item().isEmpty()
                            ? reasons.get(1).item() : read(me.correlationId());
                    return new AlreadyStarted(DynamoItem.string(record, "task_arn"));
                }
                if (failed(reasons, 0)) {
                    Map<String, AttributeValue> held = reasons.get(0).hasItem() && !reasons.get(0).item().isEmpty()
                            ? reasons.get(0).item() : read(lockId);
                    if (!held.isEmpty()) {
                        Holder holder = holder(held);
                        if (!holder.correlationId().equals(me.correlationId())) {
                            return new Held(holder);
                        }
                        // This run holds it: with a task, a repeated delivery; without, an earlier attempt of this
                        // very write took effect although its answer was lost (the SDK retried it).
                        return holder.taskArn() != null ? new AlreadyStarted(holder.taskArn()) : new Taken();
                    }
                    // Given back in the meantime: claim again.
                }
                if (attempt >= CLAIM_ATTEMPTS) {
                    throw e;
                }
                pause(attempt);
            }
        }
    }

    @Override
    public void started(Claimant me, String taskArn, MigrationStatus status) {
        DynamoItem lock = new DynamoItem().set("task_arn", taskArn);
        Map<String, String> lockNames = new LinkedHashMap<>(lock.names());
        lockNames.put("#holder", "holder");
        Map<String, AttributeValue> lockValues = new LinkedHashMap<>(lock.values());
        lockValues.put(":me", DynamoItem.text(me.correlationId()));
        // "awaiting" puts the run on the sparse index of runs the completion path has yet to judge.
        DynamoItem record = recordOf(status).set("task_arn", taskArn).set("awaiting", me.cluster())
                .set("task_started_at", clock.instant().toString())
                .remove("blocking_task_arn").remove("blocking_correlation_id");
        Map<String, String> recordNames = new LinkedHashMap<>(record.names());
        recordNames.put("#task", "task_arn");
        Map<String, AttributeValue> recordValues = new LinkedHashMap<>(record.values());
        recordValues.put(":task", DynamoItem.text(taskArn));
        dynamo.transactWriteItems(t -> t.transactItems(
                TransactWriteItem.builder().update(u -> u.tableName(table.name()).key(DynamoItem.key(DynamoItem.lockKey(me.cluster(), me.family())))
                        .updateExpression(lock.expression()).expressionAttributeNames(lockNames)
                        .expressionAttributeValues(lockValues).conditionExpression("#holder = :me")).build(),
                TransactWriteItem.builder().update(u -> u.tableName(table.name()).key(DynamoItem.key(recordKey(status)))
                        .updateExpression(record.expression()).expressionAttributeNames(recordNames)
                        .expressionAttributeValues(recordValues).conditionExpression(NO_TASK + " OR #task = :task")).build()));
    }

    @Override
    public void refused(Claimant me, MigrationStatus status) {
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    TransactWriteItem.builder().delete(d -> d.tableName(table.name()).key(DynamoItem.key(DynamoItem.lockKey(me.cluster(), me.family())))
                            .conditionExpression("#holder = :me AND " + NO_TASK)
                            .expressionAttributeNames(Map.of("#holder", "holder", "#task", "task_arn"))
                            .expressionAttributeValues(Map.of(":me", DynamoItem.text(me.correlationId())))).build(),
                    recordUnlessStarted(status)));
        } catch (TransactionCanceledException e) {
            // The lock was no longer this run's to give back; the record still says what happened.
            record(status);
        }
    }

    @Override
    public void record(MigrationStatus status) {
        if (status.status() == MigrationStatus.Outcome.ALREADY_RUNNING && status.correlationId() != null
                && status.correlationId().equals(status.startedBy())) {
            // A repeated delivery of a run that has its task: its record stands, and counts the delivery.
            DynamoItem delivery = new DynamoItem().set("updated_at", clock.instant().toString()).add("deliveries", 1);
            dynamo.updateItem(u -> u.tableName(table.name()).key(DynamoItem.key(recordKey(status))).updateExpression(delivery.expression())
                    .expressionAttributeNames(delivery.names()).expressionAttributeValues(delivery.values()));
            return;
        }
        DynamoItem record = recordWithoutTask(status);
        try {
            dynamo.updateItem(u -> u.tableName(table.name()).key(DynamoItem.key(recordKey(status))).updateExpression(record.expression())
                    .expressionAttributeNames(withTask(record.names())).expressionAttributeValues(record.values())
                    .conditionExpression(NO_TASK));
        } catch (ConditionalCheckFailedException e) {
            // This correlation id names a run that has a task: a later, different event does not rewrite its record.
        }
    }

    /** The record write for a status without a task of its own; it never rewrites the record of a run that has one. */
    private TransactWriteItem recordUnlessStarted(MigrationStatus status) {
        DynamoItem record = recordWithoutTask(status);
        return TransactWriteItem.builder().update(u -> u.tableName(table.name()).key(DynamoItem.key(recordKey(status)))
                .updateExpression(record.expression()).expressionAttributeNames(withTask(record.names()))
                .expressionAttributeValues(record.values()).conditionExpression(NO_TASK)).build();
    }

    private DynamoItem recordWithoutTask(MigrationStatus status) {
        DynamoItem record = recordOf(status);
        if (status.status() == MigrationStatus.Outcome.ALREADY_RUNNING) {
            return record.set("blocking_task_arn", status.taskArn()).set("blocking_correlation_id", status.startedBy());
        }
        return record.remove("blocking_task_arn").remove("blocking_correlation_id");
    }

    private static Map<String, String> withTask(Map<String, String> names) {
        Map<String, String> all = new LinkedHashMap<>(names);
        all.put("#task", "task_arn");
        return all;
    }

    private DynamoItem recordOf(MigrationStatus status) {
        Instant now = clock.instant();
        return new DynamoItem()
                .set("correlation_id", status.correlationId())
                .set("event_id", status.eventId())
                .set("status", status.status().name())
                .set("reason", status.reason())
                .set("cluster", status.cluster())
                .set("task_definition", status.taskDefinition())
                .set("container", status.container())
                .set("updated_at", now.toString())
                .setIfAbsent("created_at", now.toString())
                .set("expires_at", now.plus(table.retention()).getEpochSecond())
                .add("deliveries", 1);
    }

    private Map<String, AttributeValue> read(String id) {
        return dynamo.getItem(g -> g.tableName(table.name()).key(DynamoItem.key(id)).consistentRead(true)).item();
    }

    private static Holder holder(Map<String, AttributeValue> lock) {
        AttributeValue takenAt = lock.get("taken_at");
        return new Holder(DynamoItem.string(lock, "holder"), DynamoItem.string(lock, "event_id"), DynamoItem.string(lock, "task_arn"),
                Instant.ofEpochMilli(takenAt == null ? 0 : Long.parseLong(takenAt.n())));
    }

    private static boolean failed(List<CancellationReason> reasons, int index) {
        return reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(10, 40L * attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while claiming the lock", e);
        }
    }

}
