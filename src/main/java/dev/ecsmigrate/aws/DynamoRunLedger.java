package dev.ecsmigrate.aws;

import dev.ecsmigrate.complete.RunLedger;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Completion;
import dev.ecsmigrate.contract.MigrationResult;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link RunLedger} over the runner's DynamoDB table (see {@link DynamoRunTable} for its items). A run's
 * verdict is the map {@code verdict} in its record, with the completion event's fields; {@code published}
 * says whether that event went out. A run that started a task carries {@code awaiting} (its cluster) until
 * it has a verdict: the sparse index {@value #AWAITING_INDEX} lists exactly those runs for the sweep.
 */
public final class DynamoRunLedger implements RunLedger {

    /** The table's index of runs awaiting a verdict, keyed by the attribute {@code awaiting}. */
    public static final String AWAITING_INDEX = "awaiting-verdict";

    private final DynamoDbClient dynamo;
    private final String table;
    private final String cluster;
    private final Clock clock;

    public DynamoRunLedger(DynamoDbClient dynamo, RunnerConfig config, Clock clock) {
        this.dynamo = dynamo;
        this.table = config.table().name();
        this.cluster = config.cluster();
        this.clock = clock;
    }

    @Override
    public Optional<Run> run(String correlationId) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table).key(DynamoItem.key(correlationId)).consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(run(item));
    }

    @Override
    public Judged judge(Run run, Completion completion) {
        // The run stays on the awaiting index until its event has gone out: the sweep republishes what a failed
        // attempt left unpublished.
        DynamoItem write = new DynamoItem()
                .set("updated_at", clock.instant().toString());
        Map<String, String> names = new LinkedHashMap<>(write.names());
        names.put("#verdict", "verdict");
        names.put("#id", "id");
        names.put("#task", "task_arn");
        names.put("#published", "published");
        Map<String, AttributeValue> values = new LinkedHashMap<>(write.values());
        values.put(":verdict", AttributeValue.fromM(verdictMap(completion)));
        values.put(":task", DynamoItem.text(completion.taskArn()));
        values.put(":no", AttributeValue.fromBool(false));
        String expression = write.expression().replaceFirst("^SET ", "SET #verdict = :verdict, #published = :no, #task = if_not_exists(#task, :task), ");
        try {
            dynamo.updateItem(u -> u.tableName(table).key(DynamoItem.key(run.correlationId())).updateExpression(expression)
                    .conditionExpression("attribute_exists(#id) AND attribute_not_exists(#verdict) AND (attribute_not_exists(#task) OR #task = :task)")
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Recorded();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> old = e.hasItem() && !e.item().isEmpty() ? e.item()
                    : dynamo.getItem(g -> g.tableName(table).key(DynamoItem.key(run.correlationId())).consistentRead(true)).item();
            Run current = run(old);
            if (current.verdict() != null) {
                return new AlreadyJudged(current.verdict(), current.published());
            }
            return new Superseded(current.taskArn());
        }
    }

    @Override
    public boolean lost(Run run, String reason) {
        Map<String, AttributeValue> verdict = new LinkedHashMap<>();
        verdict.put("result", DynamoItem.text("unknown"));
        verdict.put("reason", DynamoItem.text(reason));
        try {
            dynamo.updateItem(u -> u.tableName(table).key(DynamoItem.key(run.correlationId()))
                    .updateExpression("SET #verdict = :verdict, #published = :yes, #updated = :now REMOVE #awaiting")
                    .conditionExpression("attribute_exists(#awaiting) AND attribute_not_exists(#verdict)")
                    .expressionAttributeNames(Map.of("#verdict", "verdict", "#published", "published", "#updated", "updated_at",
                            "#awaiting", "awaiting"))
                    .expressionAttributeValues(Map.of(":verdict", AttributeValue.fromM(verdict), ":yes", AttributeValue.fromBool(true),
                            ":now", DynamoItem.text(clock.instant().toString()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void published(String correlationId) {
        dynamo.updateItem(u -> u.tableName(table).key(DynamoItem.key(correlationId))
                .updateExpression("SET #published = :yes REMOVE #awaiting").conditionExpression("attribute_exists(#verdict)")
                .expressionAttributeNames(Map.of("#published", "published", "#verdict", "verdict", "#awaiting", "awaiting"))
                .expressionAttributeValues(Map.of(":yes", AttributeValue.fromBool(true))));
    }

    @Override
    public boolean release(String family, String correlationId, String taskArn) {
        if (family == null) {
            return false;
        }
        try {
            dynamo.deleteItem(d -> d.tableName(table).key(DynamoItem.key(DynamoItem.lockKey(cluster, family)))
                    .conditionExpression("#holder = :me AND (attribute_not_exists(#task) OR #task = :task)")
                    .expressionAttributeNames(Map.of("#holder", "holder", "#task", "task_arn"))
                    .expressionAttributeValues(Map.of(":me", DynamoItem.text(correlationId), ":task", DynamoItem.text(taskArn))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Another run holds the lock now (it took it over), or nobody does: not this run's to give back.
            return false;
        }
    }

    @Override
    public List<Run> awaiting() {
        List<Run> runs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(q -> q.tableName(table).indexName(AWAITING_INDEX)
                    .keyConditionExpression("#awaiting = :cluster")
                    .expressionAttributeNames(Map.of("#awaiting", "awaiting"))
                    .expressionAttributeValues(Map.of(":cluster", DynamoItem.text(cluster)))
                    .exclusiveStartKey(from));
            page.items().forEach(item -> runs.add(run(item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && runs.size() < 1000);
        return runs;
    }

    private static Map<String, AttributeValue> verdictMap(Completion completion) {
        Map<String, AttributeValue> verdict = new LinkedHashMap<>();
        completion.fields().forEach((name, value) -> verdict.put(name, value instanceof dev.ecsmigrate.json.Json.Number number
                ? AttributeValue.fromN(number.text()) : DynamoItem.text(String.valueOf(value))));
        return verdict;
    }

    private static Run run(Map<String, AttributeValue> item) {
        AttributeValue published = item.get("published");
        AttributeValue verdict = item.get("verdict");
        boolean lost = verdict != null && verdict.hasM() && "unknown".equals(DynamoItem.string(verdict.m(), "result"));
        return new Run(DynamoItem.string(item, "id"), DynamoItem.string(item, "status"), DynamoItem.string(item, "task_arn"),
                DynamoItem.string(item, "container"), DynamoItem.string(item, "task_definition"),
                since(item), completion(verdict),
                published != null && Boolean.TRUE.equals(published.bool()), lost);
    }

    /**
     * Since when the run has been going: its task's start when it has one (a run may wait for the lock long before),
     * else when it was first recorded.
     */
    private static java.time.Instant since(Map<String, AttributeValue> item) {
        String taskStarted = DynamoItem.string(item, "task_started_at");
        return instant(taskStarted != null ? taskStarted : DynamoItem.string(item, "created_at"));
    }

    /** A stored verdict back as the completion it was written from; a lost run's "unknown" is no completion. */
    private static Completion completion(AttributeValue stored) {
        if (stored == null || !stored.hasM()) {
            return null;
        }
        Map<String, AttributeValue> v = stored.m();
        String result = DynamoItem.string(v, "result");
        if (result == null || "unknown".equals(result)) {
            return null;
        }
        AttributeValue exit = v.get("exit_code");
        return new Completion(MigrationResult.fromWord(result), exit == null ? null : Integer.valueOf(exit.n()),
                DynamoItem.string(v, "stop_code"), DynamoItem.string(v, "reason"), DynamoItem.string(v, "container"),
                DynamoItem.string(v, "correlation_id"), DynamoItem.string(v, "task_arn"), DynamoItem.string(v, "task_definition"),
                DynamoItem.string(v, "cluster"), instant(DynamoItem.string(v, "started_at")), instant(DynamoItem.string(v, "stopped_at")));
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
