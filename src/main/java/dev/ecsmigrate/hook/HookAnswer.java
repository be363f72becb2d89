package dev.ecsmigrate.hook;

import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.contract.Text;
import dev.ecsmigrate.json.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hook's answer to ECS: {@code hookStatus}, with {@code callBackDelay} (seconds) and {@code hookDetails}
 * while the migration runs. ECS merges the returned {@code hookDetails} into the next call's. {@code reason}
 * and the run's names are for the log line only; ECS reads the three documented fields.
 */
public record HookAnswer(Status status, String reason, String correlationId, String taskArn) {

    /** ECS asks again after this many seconds while the answer is IN_PROGRESS (ECS's own default is 30). */
    public static final int CALL_BACK_SECONDS = 30;

    public enum Status { SUCCEEDED, FAILED, IN_PROGRESS }

    static HookAnswer succeeded(String reason, String correlationId, String taskArn) {
        return new HookAnswer(Status.SUCCEEDED, reason, correlationId, taskArn);
    }

    static HookAnswer failed(String reason, String correlationId, String taskArn) {
        return new HookAnswer(Status.FAILED, reason, correlationId, taskArn);
    }

    static HookAnswer inProgress(String reason, String correlationId, String taskArn) {
        return new HookAnswer(Status.IN_PROGRESS, reason, correlationId, taskArn);
    }

    /** The response ECS reads. */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("hookStatus", status.name());
        if (status == Status.IN_PROGRESS) {
            fields.put("callBackDelay", new Json.Number(Integer.toString(CALL_BACK_SECONDS)));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("correlation_id", correlationId);
            if (taskArn != null) {
                details.put("task_arn", taskArn);
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
