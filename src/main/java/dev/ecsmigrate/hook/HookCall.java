package dev.ecsmigrate.hook;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsmigrate.json.Json;

import java.util.Map;

/**
 * What ECS invokes a deployment lifecycle hook with, as the ECS developer guide documents it:
 * {@code executionId}, {@code lifecycleStage}, {@code resourceArn} (the service deployment),
 * {@code executionDetails.serviceArn} and {@code executionDetails.targetServiceRevisionArn}, and the
 * {@code hookDetails} of the hook's configuration merged with what an earlier answer returned.
 */
public sealed interface HookCall {

    /** A call this hook can act on. */
    record Invocation(String executionId, String stage, String deploymentArn, String serviceArn, String targetRevisionArn,
                      Map<?, ?> hookDetails) implements HookCall {

        /** The deployment's own id: the last part of its ARN. */
        public String deploymentId() {
            return deploymentArn.substring(deploymentArn.lastIndexOf('/') + 1);
        }
    }

    /** A payload that is not a lifecycle-hook call: answered FAILED, so that a misconfiguration never passes. */
    record Unreadable(String reason) implements HookCall {
    }

    static HookCall read(byte[] raw) {
        Object parsed;
        try {
            parsed = Json.parse(raw);
        } catch (JsonProcessingException e) {
            return new Unreadable("the payload is not JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> call)) {
            return new Unreadable("the payload is " + Json.describe(parsed) + ", not an ECS lifecycle-hook call");
        }
        if (!(call.get("executionDetails") instanceof Map<?, ?> details)) {
            return new Unreadable("the payload has no executionDetails object: this function answers ECS deployment lifecycle hooks"
                    + " (trigger events go to the migration runner function)");
        }
        String stage = text(call, "lifecycleStage");
        String deployment = text(call, "resourceArn");
        String revision = text(details, "targetServiceRevisionArn");
        if (stage == null || deployment == null || revision == null) {
            return new Unreadable("the call lacks " + (stage == null ? "lifecycleStage" : deployment == null ? "resourceArn"
                    : "executionDetails.targetServiceRevisionArn") + ", which every ECS lifecycle-hook call carries");
        }
        if (!deployment.contains(":service-deployment/")) {
            return new Unreadable("resourceArn must be a service deployment's ARN (arn:...:service-deployment/<cluster>/<service>/<id>), got "
                    + Json.describe(deployment));
        }
        Map<?, ?> hookDetails = call.get("hookDetails") instanceof Map<?, ?> map ? map : Map.of();
        return new Invocation(text(call, "executionId"), stage, deployment, text(details, "serviceArn"), revision, hookDetails);
    }

    private static String text(Map<?, ?> object, String name) {
        return Json.text(object.get(name));
    }
}
