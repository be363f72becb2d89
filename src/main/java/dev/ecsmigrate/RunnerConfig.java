package dev.ecsmigrate;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The function's configuration, read once from environment variables.
 *
 * <p>Every variable a user sets is documented in the README's configuration table. All problems
 * are collected and reported together, each by variable name, so one deploy fixes them all.
 *
 * @param region               {@code AWS_REGION}: the function's own region; events for other regions are rejected
 * @param accountId            {@code ACCOUNT_ID}: the function's own account; events for other accounts are rejected
 * @param cluster              {@code CLUSTER}: the cluster that runs the migration task
 * @param subnets              {@code SUBNETS}: comma-separated subnet ids (empty: copied from the service)
 * @param securityGroups       {@code SECURITY_GROUPS}: comma-separated security-group ids (empty: copied from the service)
 * @param assignPublicIp       {@code ASSIGN_PUBLIC_IP}: ENABLED or DISABLED (null: copied from the service, else DISABLED)
 * @param networkFromService   {@code NETWORK_FROM_SERVICE}: an ECS service whose network and launch settings are copied (null: none)
 * @param launchType           {@code LAUNCH_TYPE}: FARGATE, EC2 or EXTERNAL (null: copied from the service, else FARGATE)
 * @param platformVersion      {@code PLATFORM_VERSION}: Fargate platform version (null: copied from the service, else ECS's default)
 * @param containerName        {@code CONTAINER_NAME}: the migration container (null: not named)
 * @param command              {@code MIGRATION_COMMAND}: a JSON array of strings (empty: the task definition's own command)
 * @param allowedFamilies      {@code ALLOWED_FAMILIES}: comma-separated task-definition families the function may run
 * @param statusEventBus       {@code STATUS_EVENT_BUS}: the bus that receives status events (default {@code default})
 * @param endpointOverride     {@code AWS_ENDPOINT_URL}: a local endpoint for tests and local runs (null: AWS's own)
 */
public record RunnerConfig(
        String region,
        String accountId,
        String cluster,
        List<String> subnets,
        List<String> securityGroups,
        String assignPublicIp,
        String networkFromService,
        String launchType,
        String platformVersion,
        String containerName,
        List<String> command,
        Set<String> allowedFamilies,
        String statusEventBus,
        URI endpointOverride) {

    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern SUBNET = Pattern.compile("subnet-[0-9a-f]{8,17}");
    private static final Pattern SECURITY_GROUP = Pattern.compile("sg-[0-9a-f]{8,17}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern CLUSTER_ARN = Pattern.compile("arn:[a-z-]+:ecs:[a-z0-9-]+:\\d{12}:cluster/[A-Za-z0-9_-]{1,255}");
    private static final Pattern SERVICE_ARN = Pattern.compile("arn:[a-z-]+:ecs:[a-z0-9-]+:\\d{12}:service/.+");
    private static final Pattern BUS = Pattern.compile("[A-Za-z0-9._\\-/:]{1,1600}");
    private static final Set<String> LAUNCH_TYPES = Set.of("FARGATE", "EC2", "EXTERNAL");
    private static final Set<String> PUBLIC_IP = Set.of("ENABLED", "DISABLED");

    public RunnerConfig {
        subnets = List.copyOf(subnets);
        securityGroups = List.copyOf(securityGroups);
        command = List.copyOf(command);
        allowedFamilies = Set.copyOf(allowedFamilies);
    }

    /** True when the network settings come, at least in part, from a live ECS service. */
    public boolean copiesFromService() {
        return networkFromService != null;
    }

    /**
     * Reads and validates the configuration.
     *
     * @throws InvalidConfigurationException naming every variable that is missing or malformed
     */
    public static RunnerConfig fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();

        String region = value(env, "AWS_REGION");
        if (region == null) {
            problems.add("AWS_REGION is not set (Lambda sets it; set it yourself for local runs)");
        } else if (!REGION.matcher(region).matches()) {
            problems.add("AWS_REGION must be a region name such as us-east-1, got '" + region + "'");
        }

        String accountId = value(env, "ACCOUNT_ID");
        if (accountId == null) {
            problems.add("ACCOUNT_ID is not set (the template sets it to the stack's account)");
        } else if (!ACCOUNT.matcher(accountId).matches()) {
            problems.add("ACCOUNT_ID must be 12 digits, got '" + accountId + "'");
        }

        String cluster = value(env, "CLUSTER");
        if (cluster == null) {
            problems.add("CLUSTER is not set: name the ECS cluster that runs migrations");
        } else if (!NAME.matcher(cluster).matches() && !CLUSTER_ARN.matcher(cluster).matches()) {
            problems.add("CLUSTER must be a cluster name or cluster ARN, got '" + cluster + "'");
        }

        List<String> subnets = list(env, "SUBNETS");
        subnets.stream().filter(s -> !SUBNET.matcher(s).matches()).forEach(s ->
                problems.add("SUBNETS must hold subnet ids such as subnet-0abc1234, got '" + s + "'"));
        List<String> securityGroups = list(env, "SECURITY_GROUPS");
        securityGroups.stream().filter(s -> !SECURITY_GROUP.matcher(s).matches()).forEach(s ->
                problems.add("SECURITY_GROUPS must hold security-group ids such as sg-0abc1234, got '" + s + "'"));

        String assignPublicIp = upper(value(env, "ASSIGN_PUBLIC_IP"));
        if (assignPublicIp != null && !PUBLIC_IP.contains(assignPublicIp)) {
            problems.add("ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, got '" + assignPublicIp + "'");
        }

        String service = value(env, "NETWORK_FROM_SERVICE");
        if (service != null && !NAME.matcher(service).matches() && !SERVICE_ARN.matcher(service).matches()) {
            problems.add("NETWORK_FROM_SERVICE must be an ECS service name or ARN, got '" + service + "'");
        }
        if (service == null && subnets.isEmpty()) {
            problems.add("SUBNETS is not set and NETWORK_FROM_SERVICE is not set: the task needs subnets, "
                    + "so set SUBNETS (and SECURITY_GROUPS), or name a service to copy them from");
        }

        String launchType = upper(value(env, "LAUNCH_TYPE"));
        if (launchType != null && !LAUNCH_TYPES.contains(launchType)) {
            problems.add("LAUNCH_TYPE must be FARGATE, EC2 or EXTERNAL, got '" + launchType + "'");
        }
        String platformVersion = value(env, "PLATFORM_VERSION");

        String containerName = value(env, "CONTAINER_NAME");
        if (containerName != null && !NAME.matcher(containerName).matches()) {
            problems.add("CONTAINER_NAME must be a container name from the task definition, got '" + containerName + "'");
        }
        List<String> command = command(env, problems);
        if (!command.isEmpty() && containerName == null) {
            problems.add("CONTAINER_NAME is not set but MIGRATION_COMMAND is: name the container whose command it replaces");
        }

        Set<String> allowedFamilies = new LinkedHashSet<>(list(env, "ALLOWED_FAMILIES"));
        if (allowedFamilies.isEmpty()) {
            problems.add("ALLOWED_FAMILIES is not set: list the task-definition families the function may run, comma-separated");
        }
        allowedFamilies.stream().filter(f -> !NAME.matcher(f).matches()).forEach(f ->
                problems.add("ALLOWED_FAMILIES must hold task-definition family names, got '" + f + "'"));

        String bus = value(env, "STATUS_EVENT_BUS");
        if (bus == null) {
            bus = "default";
        } else if (!BUS.matcher(bus).matches()) {
            problems.add("STATUS_EVENT_BUS must be an event bus name or ARN, got '" + bus + "'");
        }

        URI endpoint = null;
        String endpointText = value(env, "AWS_ENDPOINT_URL");
        if (endpointText != null) {
            try {
                endpoint = URI.create(endpointText);
                if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                    problems.add("AWS_ENDPOINT_URL must be an absolute URL such as http://127.0.0.1:5000, got '" + endpointText + "'");
                }
            } catch (IllegalArgumentException e) {
                problems.add("AWS_ENDPOINT_URL must be an absolute URL such as http://127.0.0.1:5000, got '" + endpointText + "'");
            }
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return new RunnerConfig(region, accountId, cluster, subnets, securityGroups, assignPublicIp, service,
                launchType, platformVersion, containerName, command, allowedFamilies, bus, endpoint);
    }

    private static List<String> command(Map<String, String> env, List<String> problems) {
        String text = value(env, "MIGRATION_COMMAND");
        if (text == null) {
            return List.of();
        }
        String expected = "MIGRATION_COMMAND must be a JSON array of strings such as [\"alembic\",\"upgrade\",\"head\"]";
        try {
            if (!(Json.parse(text) instanceof List<?> parts) || parts.isEmpty()) {
                problems.add(expected + ", got '" + text + "'");
                return List.of();
            }
            List<String> command = new ArrayList<>();
            for (Object part : parts) {
                if (!(part instanceof String word)) {
                    problems.add(expected + ", got an element that is not a string: " + Json.write(part));
                    return List.of();
                }
                command.add(word);
            }
            return command;
        } catch (JsonProcessingException e) {
            problems.add(expected + ", got '" + text + "' (" + e.getOriginalMessage() + ")");
            return List.of();
        }
    }

    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private static List<String> list(Map<String, String> env, String name) {
        String value = value(env, name);
        if (value == null) {
            return new ArrayList<>();
        }
        return new ArrayList<>(Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }
}
