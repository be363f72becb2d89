package dev.ecsmigrate.hook;

import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.Text;
import dev.ecsmigrate.json.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hook's answer to ECS: {@code hookStatus}, with {@code callBackDelay} (seconds) and {@code hookDetails}
 * while the migration runs. ECS merges the returned {@code hookDetails} into the next call's. {@code reason}
 * and the run's names are for the log line only; ECS reads the three documented fields.
 */
public record HookAnswer(Status status, String reason, String correlationId, String taskArn, Instant firstCalledAt, String waitingFor) {

    /** The hookDetails keys the hook gives ECS to pass back. */
    static final String FIRST_CALLED_AT = "first_called_at";
    static final String WAITING_FOR = "waiting_for";

    /** ECS asks again after this many seconds while the answer is IN_PROGRESS (ECS's own default is 30). */
    public static final int CALL_BACK_SECONDS = 30;

    public enum Status { SUCCEEDED, FAILED, IN_PROGRESS }

    public HookAnswer(Status status, String reason, String correlationId, String taskArn) {
        this(status, reason, correlationId, taskArn, null, null);
    }

    static HookAnswer succeeded(String reason, String correlationId, String taskArn) {
        return new HookAnswer(Status.SUCCEEDED, reason, correlationId, taskArn);
    }

    static HookAnswer failed(String reason, String correlationId, String taskArn) {
        return new HookAnswer(Status.FAILED, reason, correlationId, taskArn);
    }

    static HookAnswer inProgress(String reason, String correlationId, String taskArn) {
        return new HookAnswer(Status.IN_PROGRESS, reason, correlationId, taskArn);
    }

    /** The same answer, remembering when ECS first called for this deployment (ECS passes it back). */
    HookAnswer since(Instant first) {
        return new HookAnswer(status, reason, correlationId, taskArn, first, waitingFor);
    }

    /** The same answer, remembering which run it waits for, so that the next call does not report the wait again. */
    HookAnswer waitingFor(String holder) {
        return new HookAnswer(status, reason, correlationId, taskArn, firstCalledAt, holder);
    }

    /** The response ECS reads. */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("hookStatus", status.name());
        if (status == Status.IN_PROGRESS) {
            fields.put("callBackDelay", new Json.Number(Integer.toString(CALL_BACK_SECONDS)));
            Map<String, Object> details = new LinkedHashMap<>();
            if (correlationId != null) {
                details.put("correlation_id", correlationId);
            }
            if (taskArn != null) {
                details.put("task_arn", taskArn);
            }
            if (firstCalledAt != null) {
                details.put(FIRST_CALLED_AT, firstCalledAt.toString());
            }
            if (waitingFor != null) {
                details.put(WAITING_FOR, waitingFor);
            }
            fields.put("hookDetails", details);
        }
        return Json.write(fields);
    }

    /** One line for the log: the answer and why. */
    public String toLogJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("hook_status", status.name());
        fields.put("reason", Text.fit(reason, MigrationStatus.MAX_REASON));
        if (correlationId != null) {
            fields.put("correlation_id", correlationId);
        }
        if (taskArn != null) {
            fields.put("task_arn", taskArn);
        }
        return Json.write(fields);
    }
}
