package dev.ecsmigrate.start;

import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ecsmigrate.testing.Fixtures.env;
import static dev.ecsmigrate.testing.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

class LaunchSettingsTest {

    private static final LaunchSettings SERVICE = new LaunchSettings(null,
            List.of(new LaunchSettings.CapacityProviderShare("FARGATE_SPOT", 3, 0), new LaunchSettings.CapacityProviderShare("FARGATE", 1, 1)),
            "1.4.0", List.of("subnet-0aaaaaaaaaaaaaaaa"), List.of("sg-0bbbbbbbbbbbbbbbb"), "ENABLED");

    private static RunnerConfig fromService(String... overrides) {
        var env = with(with(with(with(env(), "SUBNETS", ""), "SECURITY_GROUPS", ""), "ASSIGN_PUBLIC_IP", ""), "NETWORK_FROM_SERVICE", "web");
        for (int i = 0; i < overrides.length; i += 2) {
            env = with(env, overrides[i], overrides[i + 1]);
        }
        return Fixtures.config(env);
    }

    @Test
    void resolve_whenNoService_usesExplicitValuesAndFargate() {
        LaunchSettings settings = LaunchSettings.resolve(Fixtures.config(), null);

        assertThat(settings).isEqualTo(new LaunchSettings("FARGATE", List.of(), null,
                List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"), List.of("sg-0123456789abcdef0"), "DISABLED"));
    }

    @Test
    void resolve_whenServiceOnly_copiesEverything() {
        assertThat(LaunchSettings.resolve(fromService(), SERVICE)).isEqualTo(SERVICE);
    }

    @Test
    void resolve_whenExplicitValuesSet_theyWinOverTheService() {
        RunnerConfig config = fromService("SUBNETS", "subnet-0cccccccccccccccc", "ASSIGN_PUBLIC_IP", "DISABLED",
                "LAUNCH_TYPE", "FARGATE", "PLATFORM_VERSION", "LATEST");

        LaunchSettings settings = LaunchSettings.resolve(config, SERVICE);

        assertThat(settings.subnets()).containsExactly("subnet-0cccccccccccccccc");
        assertThat(settings.securityGroups()).containsExactly("sg-0bbbbbbbbbbbbbbbb");
        assertThat(settings.assignPublicIp()).isEqualTo("DISABLED");
        assertThat(settings.launchType()).isEqualTo("FARGATE");
        assertThat(settings.capacityProviders()).isEmpty();
        assertThat(settings.platformVersion()).isEqualTo("LATEST");
    }

    @Test
    void resolve_whenServiceHasNoNetwork_leavesSubnetsEmpty() {
        LaunchSettings bridge = new LaunchSettings("EC2", List.of(), null, List.of(), List.of(), null);

        assertThat(LaunchSettings.resolve(fromService(), bridge).subnets()).isEmpty();
    }

    @Test
    void resolve_whenTheServiceRunsOnEc2_dropsPlatformVersion() {
        LaunchSettings ec2 = new LaunchSettings("EC2", List.of(), null, List.of("subnet-0aaaaaaaaaaaaaaaa"), List.of(), "DISABLED");

        LaunchSettings settings = LaunchSettings.resolve(fromService("PLATFORM_VERSION", "1.4.0"), ec2);

        assertThat(settings.launchType()).isEqualTo("EC2");
        assertThat(settings.platformVersion()).isNull();
    }

    @Test
    void describe_namesCapacityAndNetwork() {
        assertThat(SERVICE.describe()).isEqualTo("capacity providers FARGATE_SPOT, FARGATE (platform 1.4.0), subnets subnet-0aaaaaaaaaaaaaaaa,"
                + " security groups sg-0bbbbbbbbbbbbbbbb, public IP ENABLED");
    }
}
