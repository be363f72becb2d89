package dev.ecsmigrate;

import dev.ecsmigrate.aws.AwsClients;
import dev.ecsmigrate.aws.DynamoRunTable;
import dev.ecsmigrate.aws.EcsMigrationTasks;
import dev.ecsmigrate.aws.EventBridgePublisher;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.contract.Contract;
import dev.ecsmigrate.contract.MigrationStatus;
import dev.ecsmigrate.start.EventValidator;
import dev.ecsmigrate.start.LaunchSettings;
import dev.ecsmigrate.start.MigrationLock;
import dev.ecsmigrate.start.MigrationRequest;
import dev.ecsmigrate.start.Validation;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SnapStart priming: before Lambda takes the snapshot, run the per-event code once (event parsing,
 * validation, status JSON, and the SDK's endpoint rules, marshalling and signing for every call the
 * function makes) so that the restored function starts warm. Nothing is sent: the priming clients stop
 * every request before transmission, and they use placeholder credentials, so no real credential is
 * fetched into the snapshot.
 */
final class Priming implements Resource {

    /** Strong references: the CRaC runtime keeps only weak ones, and would lose the hooks. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();

    private final RunnerConfig config;
    private final EventValidator validator;

    Priming(RunnerConfig config, EventValidator validator) {
        this.config = config;
        this.validator = validator;
    }

    /** Registers with the CRaC runtime; outside one (local runs, tests) this is a no-op. */
    static void register(Priming priming) {
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to refresh: the real clients hold no connection or credential from before the snapshot.
    }

    /** Runs every per-event path once; returns how many SDK requests were marshalled and stopped. */
    int prime() {
        String family = config.allowedFamilies().iterator().next();
        String region = config.home().region();
        String arn = "arn:" + config.home().partition() + ":ecs:" + region + ":" + config.accountId() + ":task-definition/" + family + ":1";
        byte[] event = ("{\"version\":\"0\",\"id\":\"priming\",\"detail-type\":\"" + Contract.TRIGGER_DETAIL_TYPE
                + "\",\"source\":\"" + Contract.SOURCE + "\",\"account\":\"" + config.accountId() + "\",\"region\":\""
                + region + "\",\"resources\":[],\"detail\":{\"taskdef_arn\":\"" + arn
                + "\",\"correlation_id\":\"priming\"}}").getBytes(StandardCharsets.UTF_8);
        MigrationRequest request = ((Validation.Accepted) validator.validate(event)).request();
        LaunchSettings settings = config.network().subnets().isEmpty()
                ? new LaunchSettings("FARGATE", List.of(), null, List.of("subnet-00000000"), List.of(), "DISABLED")
                : LaunchSettings.resolve(config, null);
        MigrationStatus status = new MigrationStatus(MigrationStatus.Outcome.STARTED, "priming", request.correlationId(),
                request.eventId(), config.cluster(), arn, null, request.correlationId(), config.override().containerName());
        String json = status.toJson();

        int stopped = 0;
        try (AwsClients clients = AwsClients.forPriming(config.home())) {
            EcsMigrationTasks tasks = new EcsMigrationTasks(clients.ecs(), config);
            EventBridgePublisher publisher = new EventBridgePublisher(clients.events(), config.buses().status());
            DynamoRunTable runs = new DynamoRunTable(clients.dynamo(), config.table(), Clock.systemUTC());
            MigrationLock.Claimant me = new MigrationLock.Claimant(request.correlationId(), request.eventId(), config.cluster(), family);
            stopped += stopped(() -> runs.claim(me));
            stopped += stopped(() -> tasks.taskState("arn:" + config.home().partition() + ":ecs:" + region + ":" + config.accountId()
                    + ":task/" + config.cluster() + "/priming"));
            stopped += stopped(() -> tasks.start(request, settings));
            stopped += stopped(() -> runs.started(me, "priming", status));
            stopped += stopped(() -> runs.record(status));
            stopped += stopped(() -> publisher.publish(status, json));
            if (config.copiesFromService()) {
                stopped += stopped(() -> tasks.serviceSettings(config.networkFromService()));
            }
        }
        return stopped;
    }

    private static int stopped(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof AwsClients.StoppedBeforeSending) {
                    return 1;
                }
            }
            throw e;
        }
        throw new IllegalStateException("a priming request was not stopped before sending");
    }
}
