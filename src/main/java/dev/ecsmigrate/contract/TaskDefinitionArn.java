package dev.ecsmigrate.contract;

import dev.ecsmigrate.json.Json;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A full task-definition ARN with a revision:
 * {@code arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>}.
 */
public record TaskDefinitionArn(String value, String partition, String region, String accountId,
                                String family, int revision) {

    public static final String EXPECTED = "arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>";

    private static final Pattern ARN = Pattern.compile("arn:(" + AwsNames.PARTITION + "):ecs:(" + AwsNames.REGION + "):("
            + AwsNames.ACCOUNT + "):task-definition/([A-Za-z0-9_-]{1,255}):([1-9]\\d{0,9})");

    /**
     * Parses a full task-definition ARN.
     *
     * @throws IllegalArgumentException with a message that shows the expected shape
     */
    public static TaskDefinitionArn parse(String value) {
        Matcher m = ARN.matcher(value);
        if (!m.matches()) {
            String hint = value.length() < 2048 && value.startsWith("arn:") && value.contains(":task-definition/")
                    && !value.matches(".*:task-definition/[^:]+:\\d+")
                    ? " (the revision is missing: add ':<revision>', e.g. ':42')"
                    : "";
            throw new IllegalArgumentException("detail.taskdef_arn must be a full task-definition ARN with a revision, "
                    + EXPECTED + ", got '" + Json.shorten(value) + "'" + hint);
        }
        long revision = Long.parseLong(m.group(5));
        if (revision > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("detail.taskdef_arn names revision " + revision + ", beyond the largest ECS allows ("
                    + Integer.MAX_VALUE + "), got '" + value + "'");
        }
        return new TaskDefinitionArn(value, m.group(1), m.group(2), m.group(3), m.group(4), (int) revision);
    }

    @Override
    public String toString() {
        return value;
    }
}
