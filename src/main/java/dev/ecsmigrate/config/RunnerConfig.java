package dev.ecsmigrate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsmigrate.contract.AwsNames;
import dev.ecsmigrate.json.Json;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configuration that can run migrations, read once from environment variables (see {@link Configuration#read}).
 * Every variable is documented in the README's configuration table. Each part is validated where it is
 * built, against what the AWS APIs will accept, so that a bad value is named at init rather than refused by
 * AWS on every event. All problems are reported together, each by variable name, so one deploy fixes them all.
 *
 * @param home               where the function runs and which endpoints its clients call
 * @param accountId          {@code ACCOUNT_ID}: the function's own account; events for other accounts are rejected
 * @param cluster            {@code CLUSTER}: the cluster that runs the migration task
 * @param allowedFamilies    {@code ALLOWED_FAMILIES}: task-definition families the function may run
 * @param networkFromService {@code NETWORK_FROM_SERVICE}: an ECS service whose network and capacity are copied (null: none)
 * @param network            the task's awsvpc network
 * @param capacity           the task's launch type and platform version
 * @param override           the migration container and its command
 * @param buses              where statuses go
 * @param table              the migration lock and the run records
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
        Buses buses,
        Table table) implements Configuration {

    private static final Pattern REGION = AwsNames.REGION_PATTERN;
    private static final Pattern ACCOUNT = Pattern.compile(AwsNames.ACCOUNT);
    private static final Pattern SUBNET = Pattern.compile("subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    private static final Pattern SECURITY_GROUP = Pattern.compile("sg-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern CLUSTER_ARN = Pattern.compile("arn:([a-z-]+):ecs:([a-z0-9-]+):(\\d{12}):cluster/([A-Za-z0-9_-]{1,255})");
    private static final Pattern SERVICE_ARN = Pattern.compile(
            "arn:([a-z-]+):ecs:([a-z0-9-]+):(\\d{12}):service/(?:([A-Za-z0-9_-]{1,255})/)?([A-Za-z0-9_-]{1,255})");
    private static final Pattern BUS_NAME = Pattern.compile("[/.\\-_A-Za-z0-9]{1,256}");
    private static final Pattern BUS_ARN = Pattern.compile("arn:([a-z-]+):events:([a-z0-9-]+):(\\d{12}):event-bus/([/.\\-_A-Za-z0-9]{1,256})");
    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
    private static final Pattern TABLE_ARN = Pattern.compile("arn:([a-z-]+):dynamodb:([a-z0-9-]+):(\\d{12}):table/([a-zA-Z0-9_.-]{3,255})");
    private static final Pattern PLATFORM_VERSION = Pattern.compile("LATEST|\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final Set<String> LAUNCH_TYPES = Set.of("FARGATE", "EC2", "MANAGED_INSTANCES");
    private static final Set<String> PUBLIC_IP = Set.of("ENABLED", "DISABLED");
    private static final Set<String> BOOLEANS = Set.of("true", "false");
    /** ECS's limits on one awsvpc configuration. */
    private static final int MAX_SUBNETS = 16;
    private static final int MAX_SECURITY_GROUPS = 5;
    /** ECS refuses task overrides longer than this, counting the JSON they are sent as. */
    private static final int MAX_OVERRIDES_LENGTH = 8192;

    public RunnerConfig {
        allowedFamilies = Set.copyOf(allowedFamilies);
    }

    /** True when the network settings come, at least in part, from a live ECS service. */
    public boolean copiesFromService() {
        return networkFromService != null;
    }

    /**
     * Where the function runs and whom its clients call.
     *
     * @param region           {@code AWS_REGION}: the function's own region; events for other regions are rejected
     * @param endpointOverride {@code AWS_ENDPOINT_URL}: a local endpoint for tests and local runs (null: AWS's own)
     * @param serviceEndpoints {@code AWS_ENDPOINT_URL_ECS}, {@code _EVENTBRIDGE}, {@code _DYNAMODB}: one service's
     *                         endpoint, which wins over {@code AWS_ENDPOINT_URL}; keyed by the variable's suffix
     */
    public record Home(String region, URI endpointOverride, Map<String, URI> serviceEndpoints) {

        /** The services whose endpoints can be set one by one, by the suffix of their variable. */
        public static final List<String> SERVICES = List.of("ECS", "EVENTBRIDGE", "DYNAMODB");

        public Home {
            serviceEndpoints = Map.copyOf(serviceEndpoints);
        }

        public Home(String region, URI endpointOverride) {
            this(region, endpointOverride, Map.of());
        }

        /** The partition of the region: aws, aws-cn, aws-us-gov... */
        public String partition() {
            return AwsNames.partitionOf(region);
        }

        /** The endpoint of one of {@link #SERVICES}, or null for AWS's own. */
        public URI endpointFor(String service) {
            return serviceEndpoints.getOrDefault(service, endpointOverride);
        }

        /** The home, or null when the region or an endpoint is unusable (the problem is recorded). */
        static Home read(Environment env) {
            boolean usable = true;
            String region = env.value("AWS_REGION");
            if (region == null) {
                env.problem("AWS_REGION is not set (Lambda sets it; set it yourself for local runs)");
                usable = false;
            } else if (!REGION.matcher(region).matches()) {
                env.problem("AWS_REGION must be a region name such as us-east-1, got '" + shown(region) + "'");
                usable = false;
            }
            URI endpoint = null;
            if (env.value("AWS_ENDPOINT_URL") != null) {
                endpoint = endpoint(env, "AWS_ENDPOINT_URL");
                usable &= endpoint != null;
            }
            Map<String, URI> services = new LinkedHashMap<>();
            for (String service : SERVICES) {
                String name = "AWS_ENDPOINT_URL_" + service;
                if (env.value(name) != null) {
                    URI serviceEndpoint = endpoint(env, name);
                    usable &= serviceEndpoint != null;
                    if (serviceEndpoint != null) {
                        services.put(service, serviceEndpoint);
                    }
                }
            }
            for (String name : List.of("AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT")) {
                String flag = env.value(name);
                if (flag != null && !BOOLEANS.contains(flag)) {
                    env.problem(name + " must be true or false, got '" + shown(flag) + "'");
                    usable = false;
                }
            }
            return usable ? new Home(region, endpoint, services) : null;
        }

        /** An http(s) URL with a host, as the SDK needs it, or null (the problem is recorded). */
        private static URI endpoint(Environment env, String name) {
            String text = env.value(name);
            String problem = name + " must be an http or https URL with a host, such as http://127.0.0.1:5000, got '" + shown(text) + "'";
            try {
                URI uri = new URI(text);
                boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
                if (!web || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                        || uri.getRawFragment() != null || uri.getPort() > 65535) {
                    env.problem(problem);
                    return null;
                }
                return uri;
            } catch (java.net.URISyntaxException e) {
                env.problem(problem);
                return null;
            }
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
            List<String> subnets = ids(env, "SUBNETS", SUBNET, "subnet ids such as subnet-0abc1234", MAX_SUBNETS);
            List<String> securityGroups = ids(env, "SECURITY_GROUPS", SECURITY_GROUP, "security-group ids such as sg-0abc1234",
                    MAX_SECURITY_GROUPS);
            String assignPublicIp = env.upper("ASSIGN_PUBLIC_IP");
            if (assignPublicIp != null && !PUBLIC_IP.contains(assignPublicIp)) {
                env.problem("ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, got '" + shown(assignPublicIp) + "'");
            }
            return new Network(subnets, securityGroups, assignPublicIp);
        }

        private static List<String> ids(Environment env, String name, Pattern shape, String expected, int most) {
            List<String> ids = env.list(name);
            ids.stream().filter(s -> !shape.matcher(s).matches()).forEach(s ->
                    env.problem(name + " must hold " + expected + ", got '" + shown(s) + "'"));
            if (ids.size() > most) {
                env.problem(name + " holds " + ids.size() + " ids; ECS takes at most " + most);
            }
            if (new HashSet<>(ids).size() < ids.size()) {
                env.problem(name + " names an id twice: " + shown(String.join(",", ids)));
            }
            return ids;
        }
    }

    /**
     * Where the task gets its compute.
     *
     * @param launchType      {@code LAUNCH_TYPE}: FARGATE, EC2 or MANAGED_INSTANCES (null: the service's, else FARGATE)
     * @param platformVersion {@code PLATFORM_VERSION}: Fargate platform version (null: the service's, else ECS's default)
     */
    public record Capacity(String launchType, String platformVersion) {

        static Capacity read(Environment env) {
            String launchType = env.upper("LAUNCH_TYPE");
            if ("EXTERNAL".equals(launchType)) {
                env.problem("LAUNCH_TYPE EXTERNAL cannot run the migration: the runner starts tasks with awsvpc networking, "
                        + "which ECS Anywhere instances do not support; use FARGATE, EC2 or MANAGED_INSTANCES");
            } else if (launchType != null && !LAUNCH_TYPES.contains(launchType)) {
                env.problem("LAUNCH_TYPE must be FARGATE, EC2 or MANAGED_INSTANCES, got '" + shown(launchType) + "'");
            }
            String platformVersion = env.value("PLATFORM_VERSION");
            if (platformVersion != null && !PLATFORM_VERSION.matcher(platformVersion).matches()) {
                env.problem("PLATFORM_VERSION must be a Fargate platform version such as 1.4.0 or LATEST, got '" + shown(platformVersion) + "'");
            } else if (platformVersion != null && launchType != null && !"FARGATE".equals(launchType)) {
                env.problem("PLATFORM_VERSION is set but LAUNCH_TYPE is " + launchType + ": a platform version applies to FARGATE only");
            }
            return new Capacity(launchType, platformVersion);
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
                env.problem("CONTAINER_NAME must be a container name from the task definition, got '" + shown(containerName) + "'");
            }
            List<String> command = command(env);
            if (!command.isEmpty() && containerName == null) {
                env.problem("CONTAINER_NAME is not set but MIGRATION_COMMAND is: name the container whose command it replaces");
            }
            Override override = new Override(containerName, command);
            int length = override.overridesJson().length();
            if (!command.isEmpty() && length > MAX_OVERRIDES_LENGTH) {
                env.problem("MIGRATION_COMMAND is too long: ECS takes task overrides of at most " + MAX_OVERRIDES_LENGTH
                        + " characters, and this one is " + length);
            }
            return override;
        }

        /** The overrides as ECS measures them: the JSON of the containerOverrides RunTask sends. */
        private String overridesJson() {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("name", containerName == null ? "" : containerName);
            container.put("command", command);
            return Json.write(Map.of("containerOverrides", List.of(container)));
        }

        private static List<String> command(Environment env) {
            String text = env.value("MIGRATION_COMMAND");
            if (text == null) {
                return List.of();
            }
            String expected = "MIGRATION_COMMAND must be a JSON array of strings such as [\"alembic\",\"upgrade\",\"head\"]";
            try {
                if (!(Json.parse(text) instanceof List<?> parts) || parts.isEmpty()) {
                    env.problem(expected + ", got '" + shown(text) + "'");
                    return List.of();
                }
                List<String> command = new ArrayList<>();
                for (Object part : parts) {
                    if (!(part instanceof String word)) {
                        env.problem(expected + ", got an element that is not a string: " + Json.shorten(Json.write(part)));
                        return List.of();
                    }
                    command.add(word);
                }
                return command;
            } catch (JsonProcessingException e) {
                env.problem(expected + ", got '" + shown(text) + "' (" + Json.shorten(String.valueOf(e.getOriginalMessage())) + ")");
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
        static Buses read(Environment env, Home home, String accountId) {
            String bus = env.value("STATUS_EVENT_BUS");
            if (bus == null) {
                return new Buses("default");
            }
            Matcher arn = BUS_ARN.matcher(bus);
            if (arn.matches()) {
                String problem = foreign(arn.group(1), arn.group(2), arn.group(3), home, accountId);
                if (problem != null) {
                    env.problem("STATUS_EVENT_BUS names a bus " + problem + ": name a bus of the function's own, got '" + shown(bus) + "'");
                    return null;
                }
                return new Buses(bus);
            }
            if (!BUS_NAME.matcher(bus).matches() || bus.startsWith("arn:")) {
                env.problem("STATUS_EVENT_BUS must be an event bus name (up to 256 of A-Z a-z 0-9 . - _ /) or its ARN, got '"
                        + shown(bus) + "'");
                return null;
            }
            return new Buses(bus);
        }
    }

    /**
     * The DynamoDB table that holds each family's migration lock and a record of every run.
     *
     * @param name      {@code TABLE_NAME}: the table's name or ARN (the template sets it)
     * @param lockGrace {@code LOCK_GRACE_SECONDS}: how long a lock may name a run whose task ECS does not know,
     *                  before another run may take it over (default 600: ten minutes)
     * @param retention {@code RECORD_RETENTION_DAYS}: how long a run record is kept (default 90 days)
     * @param hookTimeout {@code HOOK_TIMEOUT_SECONDS}: how long the deployment hook lets a deployment wait for the lock,
     *                  and then its migration run, before it fails the deployment (default 3600: one hour each)
     */
    public record Table(String name, java.time.Duration lockGrace, java.time.Duration retention, java.time.Duration hookTimeout) {

        /** The table, or null when it is unusable (the problem is recorded). */
        static Table read(Environment env, Home home, String accountId) {
            boolean usable = true;
            String name = env.value("TABLE_NAME");
            if (name == null) {
                env.problem("TABLE_NAME is not set: the template sets it to the stack's table of locks and run records");
                usable = false;
            } else {
                Matcher arn = TABLE_ARN.matcher(name);
                if (arn.matches()) {
                    String problem = foreign(arn.group(1), arn.group(2), arn.group(3), home, accountId);
                    if (problem != null) {
                        env.problem("TABLE_NAME names a table " + problem + ", got '" + shown(name) + "'");
                        usable = false;
                    }
                } else if (!TABLE_NAME.matcher(name).matches()) {
                    env.problem("TABLE_NAME must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -) or its ARN, got '" + shown(name) + "'");
                    usable = false;
                }
            }
            Long grace = whole(env, "LOCK_GRACE_SECONDS", 600, 1, 86_400, "seconds");
            Long days = whole(env, "RECORD_RETENTION_DAYS", 90, 1, 3650, "days");
            // Below ECS's own limit on a hook (timeoutInMinutes: 24 hours by default, at most 14 days).
            Long hook = whole(env, "HOOK_TIMEOUT_SECONDS", 3600, 60, 1_209_600, "seconds");
            if (!usable || grace == null || days == null || hook == null) {
                return null;
            }
            return new Table(name, java.time.Duration.ofSeconds(grace), java.time.Duration.ofDays(days), java.time.Duration.ofSeconds(hook));
        }

        private static Long whole(Environment env, String name, long fallback, long least, long most, String unit) {
            String text = env.value(name);
            if (text == null) {
                return fallback;
            }
            if (text.matches("\\d{1,9}")) {
                long value = Long.parseLong(text);
                if (value >= least && value <= most) {
                    return value;
                }
            }
            env.problem(name + " must be a whole number of " + unit + " from " + least + " to " + most + ", got '" + shown(text) + "'");
            return null;
        }
    }

    /** Reads the rest of the configuration; the result is valid only when {@code env} recorded no problem. */
    static RunnerConfig read(Environment env, Home home, Buses buses, Table table, String accountId) {
        String cluster = env.value("CLUSTER");
        if (cluster == null) {
            env.problem("CLUSTER is not set: name the ECS cluster that runs migrations");
        } else if (CLUSTER_ARN.matcher(cluster).matches()) {
            Matcher arn = CLUSTER_ARN.matcher(cluster);
            arn.matches();
            String problem = foreign(arn.group(1), arn.group(2), arn.group(3), home, accountId);
            if (problem != null) {
                env.problem("CLUSTER names a cluster " + problem + ": the runner starts tasks in its own, got '" + shown(cluster) + "'");
            }
        } else if (!NAME.matcher(cluster).matches()) {
            env.problem("CLUSTER must be a cluster name or cluster ARN, got '" + shown(cluster) + "'");
        }

        Network network = Network.read(env);
        String service = env.value("NETWORK_FROM_SERVICE");
        if (service != null) {
            serviceProblem(env, service, cluster, home, accountId);
        }
        if (service == null && network.subnets().isEmpty()) {
            env.problem("SUBNETS is not set and NETWORK_FROM_SERVICE is not set: the task needs subnets, "
                    + "so set SUBNETS (and SECURITY_GROUPS), or name a service to copy them from");
        }
        Capacity capacity = Capacity.read(env);
        if ("ENABLED".equals(network.assignPublicIp()) && capacity.launchType() != null && !"FARGATE".equals(capacity.launchType())) {
            env.problem("ASSIGN_PUBLIC_IP is ENABLED but LAUNCH_TYPE is " + capacity.launchType()
                    + ": ECS assigns public IPs to Fargate tasks only");
        }
        Override override = Override.read(env);

        Set<String> allowedFamilies = new LinkedHashSet<>(env.list("ALLOWED_FAMILIES"));
        if (allowedFamilies.isEmpty()) {
            env.problem("ALLOWED_FAMILIES is not set: list the task-definition families the function may run, comma-separated");
        }
        allowedFamilies.stream().filter(f -> !NAME.matcher(f).matches()).forEach(f ->
                env.problem("ALLOWED_FAMILIES must hold task-definition family names, got '" + shown(f) + "'"));

        return new RunnerConfig(home, accountId, cluster, allowedFamilies, service, network, capacity, override, buses, table);
    }

    /** The function's account, or null (the problem is recorded). */
    static String readAccount(Environment env) {
        String accountId = env.value("ACCOUNT_ID");
        if (accountId == null) {
            env.problem("ACCOUNT_ID is not set (the template sets it to the stack's account)");
            return null;
        }
        if (!ACCOUNT.matcher(accountId).matches()) {
            env.problem("ACCOUNT_ID must be 12 digits, got '" + shown(accountId) + "'");
            return null;
        }
        return accountId;
    }

    private static void serviceProblem(Environment env, String service, String cluster, Home home, String accountId) {
        Matcher arn = SERVICE_ARN.matcher(service);
        if (arn.matches()) {
            String problem = foreign(arn.group(1), arn.group(2), arn.group(3), home, accountId);
            String clusterName = cluster == null ? null : cluster.substring(cluster.lastIndexOf('/') + 1);
            if (problem != null) {
                env.problem("NETWORK_FROM_SERVICE names a service " + problem + ", got '" + shown(service) + "'");
            } else if (arn.group(4) != null && clusterName != null && !arn.group(4).equals(clusterName)) {
                env.problem("NETWORK_FROM_SERVICE names a service on cluster " + arn.group(4) + ", not on CLUSTER " + clusterName
                        + ": the runner reads the service on its own cluster");
            }
        } else if (!NAME.matcher(service).matches()) {
            env.problem("NETWORK_FROM_SERVICE must be an ECS service name or ARN, got '" + shown(service) + "'");
        }
    }

    /** Why an ARN's partition, region and account are not the function's own, or null when they are. */
    private static String foreign(String partition, String region, String account, Home home, String accountId) {
        if (home != null && !partition.equals(home.partition())) {
            return "in partition " + partition + ", not the function's " + home.partition();
        }
        if (home != null && !region.equals(home.region())) {
            return "in region " + region + ", not the function's " + home.region();
        }
        if (accountId != null && !account.equals(accountId)) {
            return "in account " + account + ", not the function's " + accountId;
        }
        return null;
    }

    /** A value for a problem message: short enough to read, and never the whole of a huge one. */
    private static String shown(String value) {
        return Json.shorten(value);
    }
}
