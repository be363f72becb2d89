package dev.ecsmigrate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsmigrate.json.Json;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A configuration that can run migrations, read once from environment variables (see {@link Configuration#read}).
 * Every variable is documented in the README's configuration table. Each part is validated where it is
 * built; all problems are reported together, each by variable name, so one deploy fixes them all.
 *
 * @param home               where the function runs and which endpoint its clients call
 * @param accountId          {@code ACCOUNT_ID}: the function's own account; events for other accounts are rejected
 * @param cluster            {@code CLUSTER}: the cluster that runs the migration task
 * @param allowedFamilies    {@code ALLOWED_FAMILIES}: task-definition families the function may run
 * @param networkFromService {@code NETWORK_FROM_SERVICE}: an ECS service whose network and capacity are copied (null: none)
 * @param network            the task's awsvpc network
 * @param capacity           the task's launch type and platform version
 * @param override           the migration container and its command
 * @param buses              where statuses go
 */
public record RunnerConfig(
        Home home,
        String accountId,
        String cluster,
        Set<String> allowedFamilies,
        String networkFromService,
        Network network,
        Capacity capacity,
        Override override,
        Buses buses) implements Configuration {

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
        allowedFamilies = Set.copyOf(allowedFamilies);
    }

    /** True when the network settings come, at least in part, from a live ECS service. */
    public boolean copiesFromService() {
        return networkFromService != null;
    }

    /**
     * Where the function runs.
     *
     * @param region           {@code AWS_REGION}: the function's own region; events for other regions are rejected
     * @param endpointOverride {@code AWS_ENDPOINT_URL}: a local endpoint for tests and local runs (null: AWS's own)
     */
    public record Home(String region, URI endpointOverride) {

        /** The home, or null when the region or the endpoint is unusable (the problem is recorded). */
        static Home read(Environment env) {
            boolean usable = true;
            String region = env.value("AWS_REGION");
            if (region == null) {
                env.problem("AWS_REGION is not set (Lambda sets it; set it yourself for local runs)");
                usable = false;
            } else if (!REGION.matcher(region).matches()) {
                env.problem("AWS_REGION must be a region name such as us-east-1, got '" + region + "'");
                usable = false;
            }
            URI endpoint = null;
            String endpointText = env.value("AWS_ENDPOINT_URL");
            if (endpointText != null) {
                try {
                    endpoint = URI.create(endpointText);
                    if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                        endpoint = null;
                    }
                } catch (IllegalArgumentException e) {
                    endpoint = null;
                }
                if (endpoint == null) {
                    env.problem("AWS_ENDPOINT_URL must be an absolute URL such as http://127.0.0.1:5000, got '" + endpointText + "'");
                    usable = false;
                }
            }
            return usable ? new Home(region, endpoint) : null;
        }
    }

    /**
     * The task's awsvpc network; empty lists and a null public-IP setting are copied from the service, if one is named.
     *
     * @param subnets        {@code SUBNETS}: comma-separated subnet ids
     * @param securityGroups {@code SECURITY_GROUPS}: comma-separated security-group ids
     * @param assignPublicIp {@code ASSIGN_PUBLIC_IP}: ENABLED or DISABLED (null: the service's, else DISABLED)
     */
    public record Network(List<String> subnets, List<String> securityGroups, String assignPublicIp) {

        public Network {
            subnets = List.copyOf(subnets);
            securityGroups = List.copyOf(securityGroups);
        }

        static Network read(Environment env) {
            List<String> subnets = env.list("SUBNETS");
            subnets.stream().filter(s -> !SUBNET.matcher(s).matches()).forEach(s ->
                    env.problem("SUBNETS must hold subnet ids such as subnet-0abc1234, got '" + s + "'"));
            List<String> securityGroups = env.list("SECURITY_GROUPS");
            securityGroups.stream().filter(s -> !SECURITY_GROUP.matcher(s).matches()).forEach(s ->
                    env.problem("SECURITY_GROUPS must hold security-group ids such as sg-0abc1234, got '" + s + "'"));
            String assignPublicIp = env.upper("ASSIGN_PUBLIC_IP");
            if (assignPublicIp != null && !PUBLIC_IP.contains(assignPublicIp)) {
                env.problem("ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, got '" + assignPublicIp + "'");
            }
            return new Network(subnets, securityGroups, assignPublicIp);
        }
    }

    /**
     * Where the task gets its compute.
     *
     * @param launchType      {@code LAUNCH_TYPE}: FARGATE, EC2 or EXTERNAL (null: the service's, else FARGATE)
     * @param platformVersion {@code PLATFORM_VERSION}: Fargate platform version (null: the service's, else ECS's default)
     */
    public record Capacity(String launchType, String platformVersion) {

        static Capacity read(Environment env) {
            String launchType = env.upper("LAUNCH_TYPE");
            if (launchType != null && !LAUNCH_TYPES.contains(launchType)) {
                env.problem("LAUNCH_TYPE must be FARGATE, EC2 or EXTERNAL, got '" + launchType + "'");
            }
            return new Capacity(launchType, env.value("PLATFORM_VERSION"));
        }
    }

    /**
     * What the migration container runs.
     *
     * @param containerName {@code CONTAINER_NAME}: the migration container (null: not named)
     * @param command       {@code MIGRATION_COMMAND}: a JSON array of strings (empty: the task definition's own command)
     */
    public record Override(String containerName, List<String> command) {

        public Override {
            command = List.copyOf(command);
        }

        static Override read(Environment env) {
            String containerName = env.value("CONTAINER_NAME");
            if (containerName != null && !NAME.matcher(containerName).matches()) {
                env.problem("CONTAINER_NAME must be a container name from the task definition, got '" + containerName + "'");
            }
            List<String> command = command(env);
            if (!command.isEmpty() && containerName == null) {
                env.problem("CONTAINER_NAME is not set but MIGRATION_COMMAND is: name the container whose command it replaces");
            }
            return new Override(containerName, command);
        }

        private static List<String> command(Environment env) {
            String text = env.value("MIGRATION_COMMAND");
            if (text == null) {
                return List.of();
            }
            String expected = "MIGRATION_COMMAND must be a JSON array of strings such as [\"alembic\",\"upgrade\",\"head\"]";
            try {
                if (!(Json.parse(text) instanceof List<?> parts) || parts.isEmpty()) {
                    env.problem(expected + ", got '" + text + "'");
                    return List.of();
                }
                List<String> command = new ArrayList<>();
                for (Object part : parts) {
                    if (!(part instanceof String word)) {
                        env.problem(expected + ", got an element that is not a string: " + Json.write(part));
                        return List.of();
                    }
                    command.add(word);
                }
                return command;
            } catch (JsonProcessingException e) {
                env.problem(expected + ", got '" + text + "' (" + e.getOriginalMessage() + ")");
                return List.of();
            }
        }
    }

    /**
     * The event buses the function publishes to.
     *
     * @param status {@code STATUS_EVENT_BUS}: the bus that receives status events (default {@code default})
     */
    public record Buses(String status) {

        /** The buses, or null when one is unusable (the problem is recorded). */
        static Buses read(Environment env) {
            String bus = env.value("STATUS_EVENT_BUS");
            if (bus == null) {
                return new Buses("default");
            }
            if (!BUS.matcher(bus).matches()) {
                env.problem("STATUS_EVENT_BUS must be an event bus name or ARN, got '" + bus + "'");
                return null;
            }
            return new Buses(bus);
        }
    }

    /** Reads the rest of the configuration; the result is valid only when {@code env} recorded no problem. */
    static RunnerConfig read(Environment env, Home home, Buses buses) {
        String accountId = env.value("ACCOUNT_ID");
        if (accountId == null) {
            env.problem("ACCOUNT_ID is not set (the template sets it to the stack's account)");
        } else if (!ACCOUNT.matcher(accountId).matches()) {
            env.problem("ACCOUNT_ID must be 12 digits, got '" + accountId + "'");
        }

        String cluster = env.value("CLUSTER");
        if (cluster == null) {
            env.problem("CLUSTER is not set: name the ECS cluster that runs migrations");
        } else if (!NAME.matcher(cluster).matches() && !CLUSTER_ARN.matcher(cluster).matches()) {
            env.problem("CLUSTER must be a cluster name or cluster ARN, got '" + cluster + "'");
        }

        Network network = Network.read(env);
        String service = env.value("NETWORK_FROM_SERVICE");
        if (service != null && !NAME.matcher(service).matches() && !SERVICE_ARN.matcher(service).matches()) {
            env.problem("NETWORK_FROM_SERVICE must be an ECS service name or ARN, got '" + service + "'");
        }
        if (service == null && network.subnets().isEmpty()) {
            env.problem("SUBNETS is not set and NETWORK_FROM_SERVICE is not set: the task needs subnets, "
                    + "so set SUBNETS (and SECURITY_GROUPS), or name a service to copy them from");
        }
        Capacity capacity = Capacity.read(env);
        Override override = Override.read(env);

        Set<String> allowedFamilies = new LinkedHashSet<>(env.list("ALLOWED_FAMILIES"));
        if (allowedFamilies.isEmpty()) {
            env.problem("ALLOWED_FAMILIES is not set: list the task-definition families the function may run, comma-separated");
        }
        allowedFamilies.stream().filter(f -> !NAME.matcher(f).matches()).forEach(f ->
                env.problem("ALLOWED_FAMILIES must hold task-definition family names, got '" + f + "'"));

        return new RunnerConfig(home, accountId, cluster, allowedFamilies, service, network, capacity, override, buses);
    }
}
