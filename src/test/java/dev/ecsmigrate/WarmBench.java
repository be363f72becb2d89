package dev.ecsmigrate;

import com.amazonaws.services.lambda.runtime.Context;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.local.LocalContext;
import dev.ecsmigrate.start.LaunchSettings;
import dev.ecsmigrate.start.MigrationLock;
import dev.ecsmigrate.start.MigrationRequest;
import dev.ecsmigrate.start.MigrationStarter;
import dev.ecsmigrate.start.MigrationTasks;
import dev.ecsmigrate.start.RunRecords;
import dev.ecsmigrate.testing.Fixtures;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The warm per-invocation cost of the function with the network taken out: the real handler, validator,
 * runner, JSON and logging, with ECS and EventBridge replaced by in-memory answers. Prints ns and bytes
 * allocated per invocation. Usage: WarmBench EVENT_FILE [iterations]
 */
public final class WarmBench {

    private WarmBench() {
    }

    public static void main(String[] args) throws Exception {
        byte[] event = Files.readAllBytes(Path.of(args[0]));
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        RunnerConfig config = Fixtures.config();
        MigrationTasks tasks = new MigrationTasks() {
            @Override public ServiceLookup serviceSettings(String service) { throw new UnsupportedOperationException(); }
            @Override public TaskState taskState(String taskArn) { throw new UnsupportedOperationException(); }
            @Override public Launch start(MigrationRequest request, LaunchSettings settings) {
                return new Started("arn:aws:ecs:us-east-1:123456789012:task/migrations/0123456789abcdef");
            }
        };
        MigrationLock lock = new MigrationLock() {
            @Override public Claim claim(Claimant me) { return new Taken(); }
            @Override public Claim takeOver(Claimant me, Holder stale) { throw new UnsupportedOperationException(); }
            @Override public void started(Claimant me, String taskArn, dev.ecsmigrate.contract.MigrationStatus status) { }
            @Override public void refused(Claimant me, dev.ecsmigrate.contract.MigrationStatus status) { }
        };
        MigrationHandler handler = new MigrationHandler(new MigrationStarter(config, Fixtures.validator(config), tasks, lock, RunRecords.NONE,
                java.time.Clock.systemUTC()), (status, json) -> { });
        // Lambda's logger writes to a pipe the runtime reads; here the line is built and dropped.
        Context context = new LocalContext(line -> { });
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long threadId = Thread.currentThread().threadId();

        long checksum = 0;
        for (int i = 0; i < iterations; i++) {
            checksum += invoke(handler, event, context);
        }
        long allocatedBefore = threads.getThreadAllocatedBytes(threadId);
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            checksum += invoke(handler, event, context);
        }
        long nanos = System.nanoTime() - start;
        long allocated = threads.getThreadAllocatedBytes(threadId) - allocatedBefore;
        System.out.printf("warm_ns_per_invocation=%d warm_bytes_per_invocation=%d iterations=%d checksum=%d%n",
                nanos / iterations, allocated / iterations, iterations, checksum);
    }

    private static int invoke(MigrationHandler handler, byte[] event, Context context) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        handler.handleRequest(new ByteArrayInputStream(event), out, context);
        return out.size();
    }
}
