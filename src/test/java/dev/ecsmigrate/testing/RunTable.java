package dev.ecsmigrate.testing;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.net.URI;
import java.util.Map;

/** The runner's table of locks and run records in moto_server, made as template.yaml makes it, and read back. */
public final class RunTable implements AutoCloseable {

    public static final String NAME = "migrations";

    private final DynamoDbClient dynamo;
    private final String name;

    public RunTable(URI endpoint) {
        this(endpoint, NAME);
    }

    public RunTable(URI endpoint, String name) {
        this.name = name;
        dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(MotoServer.CREDENTIALS).endpointOverride(endpoint).build();
    }

    /** Creates the table: one string key, id, on demand, and the sparse index of runs awaiting a verdict. */
    public RunTable create() {
        dynamo.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("awaiting").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .globalSecondaryIndexes(g -> g.indexName("awaiting-verdict")
                        .keySchema(k -> k.attributeName("awaiting").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
        return this;
    }

    /** An item read with a strongly consistent GetItem, or an empty map. */
    public Map<String, AttributeValue> item(String id) {
        return dynamo.getItem(r -> r.tableName(name).key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true)).item();
    }

    /** The run record of a correlation id. */
    public Map<String, AttributeValue> record(String correlationId) {
        return item(correlationId);
    }

    /** The lock of a family on the test cluster. */
    public Map<String, AttributeValue> lock(String family) {
        return item("lock#" + MotoWorld.CLUSTER + "#" + family);
    }

    public void drop() {
        dynamo.deleteTable(r -> r.tableName(name));
    }

    public DynamoDbClient client() {
        return dynamo;
    }

    @Override
    public void close() {
        dynamo.close();
    }
}
