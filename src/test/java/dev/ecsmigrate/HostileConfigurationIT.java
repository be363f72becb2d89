package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ecsmigrate.config.Configuration;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.testing.FakeAws;
import dev.ecsmigrate.testing.Fixtures;
import dev.ecsmigrate.testing.MotoServer;
import dev.ecsmigrate.testing.RunTable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every variable the function reads, given several bad values: each bad value must give REJECTED naming
 * the variable, start nothing, throw nothing at init, and still reach the status bus wherever the region,
 * the endpoints and the bus are usable (else the status is logged only). The scripted endpoint counts
 * every call.
 */
class HostileConfigurationIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bad setting: the variables to change (null removes one) and the variable the reason must name. */
    record Bad(String names, Map<String, String> changes, boolean publishable) {
    }

    /** Variables without which a rejection cannot be recorded in the table. */
    private static final java.util.Set<String> TABLE_VARIABLES = java.util.Set.of("AWS_REGION", "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_USE_FIPS_ENDPOINT",
            "AWS_USE_DUALSTACK_ENDPOINT", "TABLE_NAME", "LOCK_GRACE_SECONDS", "RECORD_RETENTION_DAYS",
            "HOOK_TIMEOUT_SECONDS");

    private static FakeAws aws;
    private static RunTable table;

    @BeforeAll
    static void start() {
        MotoServer moto = MotoServer.get();
        moto.reset();
        table = new RunTable(moto.endpoint()).create();
        aws = new FakeAws().forwardDynamoDbTo(moto.endpoint());
    }

    @AfterAll
    static void stop() {
        aws.close();
        table.close();
    }

    private static final String LONG = "a".repeat(300);
    private static final String OTHER_REGION_ARN = "arn:aws:ecs:eu-west-1:123456789012:";
    private static final String OTHER_ACCOUNT_ARN = "arn:aws:ecs:us-east-1:210987654321:";

    private static List<Bad> badSettings() {
        List<Bad> bad = new ArrayList<>();
        // The region and endpoints decide where a status can go at all: with them broken, it is only logged.
        for (String region : new String[] {null, "useast1", "US-EAST-1", "us-east-1a", "../etc", LONG, "us-east-1;rm"}) {
            bad.add(new Bad("AWS_REGION", change("AWS_REGION", region), false));
        }
        for (String variable : List.of("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_DYNAMODB")) {
            for (String url : new String[] {"127.0.0.1:5000", "ftp://127.0.0.1", "http://", "http://127.0.0.1:99999",
                    "http://user@127.0.0.1", "http://127.0.0.1/?q=1", "http://[::1", "not a url"}) {
                bad.add(new Bad(variable, change(variable, url), false));
            }
        }
        for (String variable : List.of("AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT")) {
            for (String flag : new String[] {"yes", "1", "maybe"}) {
                bad.add(new Bad(variable, change(variable, flag), false));
            }
        }
        for (String bus : new String[] {"my bus", "bus:with:colons", "a".repeat(257), "arn:aws:events:eu-west-1:123456789012:event-bus/x",
                "arn:aws:events:us-east-1:210987654321:event-bus/x", "arn:aws-cn:events:us-east-1:123456789012:event-bus/x", "arn:aws:events"}) {
            bad.add(new Bad("STATUS_EVENT_BUS", change("STATUS_EVENT_BUS", bus), false));
        }
        // Everything else: the status still reaches the bus.
        for (String account : new String[] {null, "12345", "abcdefghijkl", "1234567890123", "１２３４５６７８９０１２"}) {
            bad.add(new Bad("ACCOUNT_ID", change("ACCOUNT_ID", account), true));
        }
        for (String cluster : new String[] {null, "bad cluster", LONG, OTHER_REGION_ARN + "cluster/migrations",
                OTHER_ACCOUNT_ARN + "cluster/migrations", "arn:aws-cn:ecs:us-east-1:123456789012:cluster/migrations", "cluster/x"}) {
            bad.add(new Bad("CLUSTER", change("CLUSTER", cluster), true));
        }
        for (String subnets : new String[] {"subnet-xyz", "subnet-0123456789abcdef", "sg-01234567", "subnet-01234567,subnet-01234567",
                String.join(",", java.util.stream.IntStream.range(0, 17).mapToObj(i -> String.format("subnet-%08x", i)).toList())}) {
            bad.add(new Bad("SUBNETS", change("SUBNETS", subnets), true));
        }
        bad.add(new Bad("SUBNETS", change("SUBNETS", null), true));
        for (String groups : new String[] {"default", "sg-123", "sg-01234567,sg-01234567",
                String.join(",", java.util.stream.IntStream.range(0, 6).mapToObj(i -> String.format("sg-%08x", i)).toList())}) {
            bad.add(new Bad("SECURITY_GROUPS", change("SECURITY_GROUPS", groups), true));
        }
        for (String ip : new String[] {"yes", "TRUE", "enable"}) {
            bad.add(new Bad("ASSIGN_PUBLIC_IP", change("ASSIGN_PUBLIC_IP", ip), true));
        }
        bad.add(new Bad("ASSIGN_PUBLIC_IP", change("ASSIGN_PUBLIC_IP", "ENABLED", "LAUNCH_TYPE", "EC2"), true));
        for (String service : new String[] {"web service", LONG, OTHER_REGION_ARN + "service/migrations/web",
                OTHER_ACCOUNT_ARN + "service/migrations/web", "arn:aws:ecs:us-east-1:123456789012:service/other-cluster/web"}) {
            bad.add(new Bad("NETWORK_FROM_SERVICE", change("NETWORK_FROM_SERVICE", service), true));
        }
        for (String launchType : new String[] {"LAMBDA", "EXTERNAL", "fargate-spot"}) {
            bad.add(new Bad("LAUNCH_TYPE", change("LAUNCH_TYPE", launchType), true));
        }
        for (String version : new String[] {"1.4", "latest-ish", "1.4.0; rm", "v1.4.0"}) {
            bad.add(new Bad("PLATFORM_VERSION", change("PLATFORM_VERSION", version), true));
        }
        bad.add(new Bad("PLATFORM_VERSION", change("PLATFORM_VERSION", "1.4.0", "LAUNCH_TYPE", "EC2"), true));
        for (String container : new String[] {"my container", LONG, "app;"}) {
            bad.add(new Bad("CONTAINER_NAME", change("CONTAINER_NAME", container), true));
        }
        bad.add(new Bad("CONTAINER_NAME", change("CONTAINER_NAME", null), true));
        for (String command : new String[] {"alembic upgrade head", "[]", "[1]", "{\"a\":1}", "[\"x\",", "[null]",
                "[\"" + "x".repeat(9000) + "\"]"}) {
            bad.add(new Bad("MIGRATION_COMMAND", change("MIGRATION_COMMAND", command), true));
        }
        for (String table : new String[] {null, "ab", "bad table", "a".repeat(256), "arn:aws:dynamodb:eu-west-1:123456789012:table/migrations",
                "arn:aws:dynamodb:us-east-1:210987654321:table/migrations"}) {
            bad.add(new Bad("TABLE_NAME", change("TABLE_NAME", table), true));
        }
        for (String grace : new String[] {"0", "-1", "ten", "86401", "1.5", "99999999999"}) {
            bad.add(new Bad("LOCK_GRACE_SECONDS", change("LOCK_GRACE_SECONDS", grace), true));
        }
        for (String days : new String[] {"0", "3651", "90d", " 9 9"}) {
            bad.add(new Bad("RECORD_RETENTION_DAYS", change("RECORD_RETENTION_DAYS", days), true));
        }
        for (String seconds : new String[] {"59", "1209601", "1h", "-60"}) {
            bad.add(new Bad("HOOK_TIMEOUT_SECONDS", change("HOOK_TIMEOUT_SECONDS", seconds), true));
        }
        for (String families : new String[] {null, ",", "bad family", "app," + LONG}) {
            bad.add(new Bad("ALLOWED_FAMILIES", change("ALLOWED_FAMILIES", families), true));
        }
        return bad;
    }

    private static Map<String, String> change(String... pairs) {
        Map<String, String> changes = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            changes.put(pairs[i], pairs[i + 1]);
        }
        return changes;
    }

    @Test
    void everyVariable_hasBadValuesInThisSuite() {
        TreeSet<String> covered = new TreeSet<>();
        badSettings().forEach(b -> covered.add(b.names()));

        assertThat(covered).as("a new variable needs bad values here").containsAll(Configuration.variables());
    }

    @Test
    void everyBadValue_isRejectedByName_startsNothing_andIsPublishedWhereItCanBe() throws Exception {
        List<Bad> settings = badSettings();
        int published = 0;
        int recorded = 0;
        for (Bad bad : settings) {
            aws.reset();
            Map<String, String> env = Fixtures.env();
            env.put("AWS_ENDPOINT_URL_ECS", aws.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", aws.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.endpoint().toString());
            table.client().deleteItem(r -> r.tableName(RunTable.NAME).key(Map.of("id",
                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("gh-7301122334-1"))));
            bad.changes().forEach((name, value) -> {
                if (value == null) {
                    env.remove(name);
                } else {
                    env.put(name, value);
                }
            });
            String label = bad.names() + "=" + Fixtures.shortened(String.valueOf(bad.changes()));

            MigrationHandler handler = Handlers.trigger(env);
            List<String> lines = new ArrayList<>();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(Fixtures.event("migration-with-correlation-id.json")), out,
                    new LocalContext(lines::add));

            JsonNode status = JSON.readTree(out.toByteArray());
            assertThat(status.path("status").asText()).as(label).isEqualTo("REJECTED");
            assertThat(status.path("reason").asText()).as(label).startsWith("invalid configuration:").contains(bad.names());
            assertThat(lines).as("the status is logged: %s", label).hasSize(1);
            assertThat(aws.calls("ecs:RunTask") + aws.calls("ecs:ListTasks") + aws.calls("ecs:DescribeServices"))
                    .as("no ECS call for %s", label).isZero();
            assertThat(aws.calls("events:PutEvents")).as("published for %s", label).isEqualTo(bad.publishable() ? 1 : 0);
            published += aws.calls("events:PutEvents");
            boolean recordable = !TABLE_VARIABLES.contains(bad.names());
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> record = table.record("gh-7301122334-1");
            if (recordable) {
                assertThat(record.get("status").s()).as("recorded for %s", label).isEqualTo("REJECTED");
                assertThat(record.get("reason").s()).as(label).contains(bad.names());
                recorded++;
            } else {
                assertThat(record).as("nothing recorded for %s", label).isEmpty();
            }
            assertThat(aws.calls("dynamodb:UpdateItem") + aws.calls("dynamodb:TransactWriteItems")).as("table writes for %s", label)
                    .isEqualTo(recordable ? 1 : 0);
        }
        System.out.printf("configuration suite: %d variables, %d bad settings tried, %d rejections published, %d recorded%n",
                Configuration.variables().size(), settings.size(), published, recorded);
    }
}
