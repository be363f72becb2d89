package dev.ecsmigrate.config;

import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.ecsmigrate.testing.Fixtures.broken;
import static dev.ecsmigrate.testing.Fixtures.config;
import static dev.ecsmigrate.testing.Fixtures.env;
import static dev.ecsmigrate.testing.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunnerConfigTest {

    @Test
    void read_whenComplete_readsEveryValue() {
        RunnerConfig config = config(with(env(), "STATUS_EVENT_BUS", "migrations-status"));

        assertThat(config.home().region()).isEqualTo("us-east-1");
        assertThat(config.accountId()).isEqualTo("123456789012");
        assertThat(config.cluster()).isEqualTo("migrations");
        assertThat(config.network().subnets()).containsExactly("subnet-0123456789abcdef0", "subnet-0fedcba9876543210");
        assertThat(config.network().securityGroups()).containsExactly("sg-0123456789abcdef0");
        assertThat(config.network().assignPublicIp()).isEqualTo("DISABLED");
        assertThat(config.override().containerName()).isEqualTo("app");
        assertThat(config.override().command()).containsExactly("alembic", "upgrade", "head");
        assertThat(config.allowedFamilies()).containsExactlyInAnyOrder("app", "api");
        assertThat(config.buses().status()).isEqualTo("migrations-status");
        assertThat(config.networkFromService()).isNull();
        assertThat(config.home().endpointOverride()).isNull();
    }

    @Test
    void read_whenOptionalValuesAreEmpty_usesDefaults() {
        Map<String, String> env = with(with(with(env(), "MIGRATION_COMMAND", ""), "STATUS_EVENT_BUS", " "), "ASSIGN_PUBLIC_IP", "");

        RunnerConfig config = config(env);

        assertThat(config.override().command()).isEmpty();
        assertThat(config.buses().status()).isEqualTo("default");
        assertThat(config.network().assignPublicIp()).isNull();
    }

    @Test
    void read_whenServiceNamedWithoutSubnets_isValid() {
        Map<String, String> env = with(with(with(env(), "SUBNETS", ""), "SECURITY_GROUPS", ""), "NETWORK_FROM_SERVICE", "web");

        RunnerConfig config = config(env);

        assertThat(config.copiesFromService()).isTrue();
        assertThat(config.network().subnets()).isEmpty();
    }

    @Test
    void read_whenManyProblems_reportsEachByVariableName() {
        Map<String, String> env = Map.of(
                "AWS_REGION", "us-east-1",
                "ACCOUNT_ID", "12345",
                "SUBNETS", "subnet-xyz",
                "SECURITY_GROUPS", "default",
                "ASSIGN_PUBLIC_IP", "yes",
                "LAUNCH_TYPE", "LAMBDA",
                "MIGRATION_COMMAND", "alembic upgrade head");

        assertThat(broken(env).reason())
                .startsWith("invalid configuration: ")
                .contains("ACCOUNT_ID must be 12 digits, got '12345'")
                .contains("CLUSTER is not set")
                .contains("SUBNETS must hold subnet ids such as subnet-0abc1234, got 'subnet-xyz'")
                .contains("SECURITY_GROUPS must hold security-group ids such as sg-0abc1234, got 'default'")
                .contains("ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, got 'YES'")
                .contains("LAUNCH_TYPE must be FARGATE, EC2 or MANAGED_INSTANCES, got 'LAMBDA'")
                .contains("MIGRATION_COMMAND must be a JSON array of strings")
                .contains("ALLOWED_FAMILIES is not set");
    }

    @Test
    void read_whenNoSubnetsAndNoService_explainsBothWays() {
        assertThat(broken(with(env(), "SUBNETS", null)).reason())
                .contains("SUBNETS is not set and NETWORK_FROM_SERVICE is not set");
    }

    @Test
    void read_whenCommandWithoutContainer_namesContainerName() {
        assertThat(broken(with(env(), "CONTAINER_NAME", null)).reason())
                .contains("CONTAINER_NAME is not set but MIGRATION_COMMAND is");
    }

    @Test
    void read_whenCommandHasNonStrings_rejectsIt() {
        assertThat(broken(with(env(), "MIGRATION_COMMAND", "[\"rails\", 1]")).reason())
                .contains("an element that is not a string: 1");
        assertThat(broken(with(env(), "MIGRATION_COMMAND", "[]")).reason())
                .contains("MIGRATION_COMMAND must be a JSON array of strings");
    }

    @Test
    void read_whenRegionMissing_saysLambdaSetsIt_andCannotPublish() {
        BrokenConfiguration broken = broken(with(env(), "AWS_REGION", null));

        assertThat(broken.reason()).contains("AWS_REGION is not set");
        assertThat(broken.publishing()).isInstanceOf(BrokenConfiguration.Nowhere.class);
    }

    @Test
    void read_whenBrokenButRegionAndBusKnown_publishesToTheStatusBus() {
        BrokenConfiguration broken = broken(with(with(env(), "CLUSTER", null), "STATUS_EVENT_BUS", "status"));

        assertThat(broken.publishing()).isEqualTo(new BrokenConfiguration.ToBus(
                new RunnerConfig.Home("us-east-1", null), new RunnerConfig.Buses("status")));
    }

    @Test
    void read_whenEndpointGiven_keepsIt() {
        RunnerConfig config = config(with(env(), "AWS_ENDPOINT_URL", "http://127.0.0.1:5000"));
        assertThat(config.home().endpointOverride()).hasToString("http://127.0.0.1:5000");

        assertThat(broken(with(env(), "AWS_ENDPOINT_URL", "127.0.0.1")).reason())
                .contains("AWS_ENDPOINT_URL must be an http or https URL with a host");
    }

    @Test
    void read_whenFamilyNameInvalid_namesIt() {
        assertThat(broken(with(env(), "ALLOWED_FAMILIES", "app,bad family")).reason())
                .contains("ALLOWED_FAMILIES must hold task-definition family names, got 'bad family'");
    }

    @Test
    void record_isImmutable() {
        RunnerConfig config = Fixtures.config();
        assertThatThrownBy(() -> config.network().subnets().add("subnet-1")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> config.override().command().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(List.copyOf(config.allowedFamilies())).hasSize(2);
    }

    @Test
    void read_whenServiceEndpointGiven_itWinsForThatServiceOnly() {
        RunnerConfig config = config(with(with(env(), "AWS_ENDPOINT_URL", "http://127.0.0.1:5000"), "AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:6000"));

        assertThat(config.home().endpointFor("ECS")).hasToString("http://127.0.0.1:6000");
        assertThat(config.home().endpointFor("EVENTBRIDGE")).hasToString("http://127.0.0.1:5000");
    }

    @Test
    void home_knowsItsPartitionFromTheRegion() {
        assertThat(new RunnerConfig.Home("us-east-1", null).partition()).isEqualTo("aws");
        assertThat(new RunnerConfig.Home("cn-north-1", null).partition()).isEqualTo("aws-cn");
        assertThat(new RunnerConfig.Home("us-gov-west-1", null).partition()).isEqualTo("aws-us-gov");
        assertThat(new RunnerConfig.Home("eusc-de-east-1", null).partition()).isEqualTo("aws-eusc");
    }

    @Test
    void read_whenStatusBusIsAnArnOfTheFunctionsOwn_keepsIt() {
        String arn = "arn:aws:events:us-east-1:123456789012:event-bus/migrations";

        assertThat(config(with(env(), "STATUS_EVENT_BUS", arn)).buses().status()).isEqualTo(arn);
    }

    @Test
    void variables_nameEveryVariableTheFunctionReads() {
        assertThat(Configuration.variables()).containsExactlyInAnyOrder("ACCOUNT_ID", "ALLOWED_FAMILIES", "ASSIGN_PUBLIC_IP", "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_REGION", "AWS_USE_DUALSTACK_ENDPOINT",
                "AWS_USE_FIPS_ENDPOINT", "CLUSTER", "CONTAINER_NAME", "LAUNCH_TYPE", "MIGRATION_COMMAND", "NETWORK_FROM_SERVICE",
                "PLATFORM_VERSION", "SECURITY_GROUPS", "STATUS_EVENT_BUS", "SUBNETS", "TABLE_NAME", "LOCK_GRACE_SECONDS",
                "RECORD_RETENTION_DAYS", "HOOK_TIMEOUT_SECONDS");
    }
}
