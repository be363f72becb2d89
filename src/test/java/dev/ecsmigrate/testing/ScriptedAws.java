package dev.ecsmigrate.testing;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;

/** Stubs for a scripted AWS JSON-protocol endpoint: requests are told apart by X-Amz-Target. */
public final class ScriptedAws {

    private ScriptedAws() {
    }

    public static MappingBuilder ecs(String operation) {
        return target("AmazonEC2ContainerServiceV20141113." + operation);
    }

    public static MappingBuilder logs(String operation) {
        return target("Logs_20140328." + operation);
    }

    public static MappingBuilder dynamodb(String operation) {
        return target("DynamoDB_20120810." + operation);
    }

    public static MappingBuilder events(String operation) {
        return target("AWSEvents." + operation);
    }

    public static MappingBuilder target(String target) {
        return post("/").withHeader("X-Amz-Target", equalTo(target));
    }

    public static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }

    /** An AWS JSON-protocol error, as ECS returns it. */
    public static ResponseDefinitionBuilder error(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-ErrorType", type)
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }
}
