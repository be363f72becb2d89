package dev.ecsmigrate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.ecsmigrate.Fixtures.env;
import static dev.ecsmigrate.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunnerConfigTest {

    @Test
    void fromEnvironment_whenComplete_readsEveryValue() {
        RunnerConfig config = RunnerConfig.fromEnvironment(with(env(), "STATUS_EVENT_BUS", "migrations-status"));

        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.accountId()).isEqualTo("123456789012");
        assertThat(config.cluster()).isEqualTo("migrations");
        assertThat(config.subnets()).containsExactly("subnet-0123456789abcdef0", "subnet-0fedcba9876543210");
        assertThat(config.securityGroups()).containsExactly("sg-0123456789abcdef0");
        assertThat(config.assignPublicIp()).isEqualTo("DISABLED");
        assertThat(config.containerName()).isEqualTo("app");
        assertThat(config.command()).containsExactly("alembic", "upgrade", "head");
        assertThat(config.allowedFamilies()).containsExactlyInAnyOrder("app", "api");
        assertThat(config.statusEventBus()).isEqualTo("migrations-status");
        assertThat(config.networkFromService()).isNull();
        assertThat(config.endpointOverride()).isNull();
    }

    @Test
    void fromEnvironment_whenOptionalValuesAreEmpty_usesDefaults() {
        Map<String, String> env = with(with(with(env(), "MIGRATION_COMMAND", ""), "STATUS_EVENT_BUS", " "), "ASSIGN_PUBLIC_IP", "");

        RunnerConfig config = RunnerConfig.fromEnvironment(env);

        assertThat(config.command()).isEmpty();
        assertThat(config.statusEventBus()).isEqualTo("default");
        assertThat(config.assignPublicIp()).isNull();
    }

    @Test
    void fromEnvironment_whenServiceNamedWithoutSubnets_isValid() {
        Map<String, String> env = with(with(with(env(), "SUBNETS", ""), "SECURITY_GROUPS", ""), "NETWORK_FROM_SERVICE", "web");

        RunnerConfig config = RunnerConfig.fromEnvironment(env);

        assertThat(config.copiesFromService()).isTrue();
        assertThat(config.subnets()).isEmpty();
    }

    @Test
    void fromEnvironment_whenManyProblems_reportsEachByVariableName() {
        Map<String, String> env = Map.of(
                "AWS_REGION", "us-east-1",
                "ACCOUNT_ID", "12345",
                "SUBNETS", "subnet-xyz",
                "SECURITY_GROUPS", "default",
                "ASSIGN_PUBLIC_IP", "yes",
                "LAUNCH_TYPE", "LAMBDA",
                "MIGRATION_COMMAND", "alembic upgrade head");

        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("ACCOUNT_ID must be 12 digits, got '12345'")
                .hasMessageContaining("CLUSTER is not set")
                .hasMessageContaining("SUBNETS must hold subnet ids such as subnet-0abc1234, got 'subnet-xyz'")
                .hasMessageContaining("SECURITY_GROUPS must hold security-group ids such as sg-0abc1234, got 'default'")
                .hasMessageContaining("ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, got 'YES'")
                .hasMessageContaining("LAUNCH_TYPE must be FARGATE, EC2 or EXTERNAL, got 'LAMBDA'")
                .hasMessageContaining("MIGRATION_COMMAND must be a JSON array of strings")
                .hasMessageContaining("ALLOWED_FAMILIES is not set");
    }

    @Test
    void fromEnvironment_whenNoSubnetsAndNoService_explainsBothWays() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "SUBNETS", null)))
                .hasMessageContaining("SUBNETS is not set and NETWORK_FROM_SERVICE is not set");
    }

    @Test
    void fromEnvironment_whenCommandWithoutContainer_namesContainerName() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "CONTAINER_NAME", null)))
                .hasMessageContaining("CONTAINER_NAME is not set but MIGRATION_COMMAND is");
    }

    @Test
    void fromEnvironment_whenCommandHasNonStrings_rejectsIt() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "MIGRATION_COMMAND", "[\"rails\", 1]")))
                .hasMessageContaining("an element that is not a string: 1");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "MIGRATION_COMMAND", "[]")))
                .hasMessageContaining("MIGRATION_COMMAND must be a JSON array of strings");
    }

    @Test
    void fromEnvironment_whenRegionMissing_saysLambdaSetsIt() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "AWS_REGION", null)))
                .hasMessageContaining("AWS_REGION is not set");
    }

    @Test
    void fromEnvironment_whenEndpointGiven_keepsIt() {
        RunnerConfig config = RunnerConfig.fromEnvironment(with(env(), "AWS_ENDPOINT_URL", "http://127.0.0.1:5000"));
        assertThat(config.endpointOverride()).hasToString("http://127.0.0.1:5000");

        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "AWS_ENDPOINT_URL", "127.0.0.1")))
                .hasMessageContaining("AWS_ENDPOINT_URL must be an absolute URL");
    }

    @Test
    void fromEnvironment_whenFamilyNameInvalid_namesIt() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(with(env(), "ALLOWED_FAMILIES", "app,bad family")))
                .hasMessageContaining("ALLOWED_FAMILIES must hold task-definition family names, got 'bad family'");
    }

    @Test
    void record_isImmutable() {
        RunnerConfig config = Fixtures.config();
        assertThatThrownBy(() -> config.subnets().add("subnet-1")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> config.command().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(List.copyOf(config.allowedFamilies())).hasSize(2);
    }
}
