package dev.ecsmigrate.start;

import dev.ecsmigrate.config.RunnerConfig;

import java.util.List;

/**
 * Where and how the migration task runs: the network and the capacity.
 *
 * @param launchType       FARGATE, EC2 or EXTERNAL; null when a capacity-provider strategy (or the cluster's default) applies
 * @param capacityProviders the capacity-provider strategy; empty when a launch type applies
 * @param platformVersion  the Fargate platform version; null for ECS's default
 * @param subnets          awsvpc subnets, never empty once resolved
 * @param securityGroups   awsvpc security groups; empty means the VPC's default group
 * @param assignPublicIp   ENABLED or DISABLED
 */
public record LaunchSettings(String launchType, List<CapacityProviderShare> capacityProviders, String platformVersion,
                             List<String> subnets, List<String> securityGroups, String assignPublicIp) {

    /** One entry of a capacity-provider strategy. */
    public record CapacityProviderShare(String capacityProvider, int weight, int base) {
    }

    public LaunchSettings {
        capacityProviders = List.copyOf(capacityProviders);
        subnets = List.copyOf(subnets);
        securityGroups = List.copyOf(securityGroups);
    }

    /**
     * Merges the configuration over a live service's settings: every value set explicitly wins. The
     * subnets may come out empty, when neither names any; the caller rejects that.
     *
     * @param service the service's settings, or null when no service is named
     */
    public static LaunchSettings resolve(RunnerConfig config, LaunchSettings service) {
        RunnerConfig.Network network = config.network();
        RunnerConfig.Capacity capacity = config.capacity();
        List<String> subnets = !network.subnets().isEmpty() || service == null ? network.subnets() : service.subnets();
        List<String> securityGroups = !network.securityGroups().isEmpty() || service == null
                ? network.securityGroups() : service.securityGroups();
        String assignPublicIp = firstNonNull(network.assignPublicIp(), service == null ? null : service.assignPublicIp(), "DISABLED");

        String launchType;
        List<CapacityProviderShare> capacityProviders;
        if (capacity.launchType() != null) {
            launchType = capacity.launchType();
            capacityProviders = List.of();
        } else if (service != null) {
            launchType = service.launchType();
            capacityProviders = service.capacityProviders();
        } else {
            launchType = "FARGATE";
            capacityProviders = List.of();
        }
        String platformVersion = "EC2".equals(launchType) || "EXTERNAL".equals(launchType) ? null
                : firstNonNull(capacity.platformVersion(), service == null ? null : service.platformVersion(), null);
        return new LaunchSettings(launchType, capacityProviders, platformVersion, subnets, securityGroups, assignPublicIp);
    }

    /** One line for logs and dry-run reasons. */
    public String describe() {
        String capacity = launchType != null ? "launch type " + launchType
                : capacityProviders.isEmpty() ? "the cluster's default capacity providers"
                : "capacity providers " + String.join(", ", capacityProviders.stream().map(CapacityProviderShare::capacityProvider).toList());
        return capacity + (platformVersion == null ? "" : " (platform " + platformVersion + ")")
                + ", subnets " + String.join(", ", subnets)
                + ", security groups " + (securityGroups.isEmpty() ? "(VPC default)" : String.join(", ", securityGroups))
                + ", public IP " + assignPublicIp;
    }

    private static String firstNonNull(String first, String second, String fallback) {
        return first != null ? first : second != null ? second : fallback;
    }
}
