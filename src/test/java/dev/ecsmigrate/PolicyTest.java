package dev.ecsmigrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ecsmigrate.testing.DeployedTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.DirectMethodHandleDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The function's IAM policy, checked by machine: template.yaml goes through the SAM translator (offline, see
 * src/test/resources/sam_translate.py), and the actions each function's role allows must be exactly the AWS SDK
 * calls that the compiled code makes, plus what IAM requires for them. A new call without a permission, or a
 * permission without a call, fails the build.
 */
class PolicyTest {

    /** {@code -Dpolicy.template=<copy>} checks another template, for example to watch this test fail. */
    private static final Path TEMPLATE = Path.of(System.getProperty("policy.template", "template.yaml"));
    private static final Path TRANSLATOR = Path.of("src/test/resources/sam_translate.py");
    /** {@code -Dpolicy.classes=<dir>} derives the calls from other compiled classes, likewise. */
    private static final Path MAIN_CLASSES = Path.of(System.getProperty("policy.classes", "target/classes"));
    private static final String OWN_PACKAGE = "dev/ecsmigrate/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Values for the template's parameters that have no default. */
    private static final Map<String, String> REQUIRED = Map.of(
            "ClusterName", "migrations",
            "AllowedFamilies", "app,api",
            "TaskRoleArns", "arn:aws:iam::123456789012:role/app-task,arn:aws:iam::123456789012:role/app-execution");

    /** The principal that EVERY_FEATURE lets start migrations on a trigger bus of the stack's own. */
    private static final String CI_ROLE = "arn:aws:iam::123456789012:role/ci-deploy";

    /** A deployment to check: which parameters it sets beyond the required ones. */
    enum Deployment {
        /** Only the required parameters: every optional permission must be off, or used by the code. */
        MINIMAL(Map.of()),
        /** Every optional permission turned on: the policy must then allow exactly what the code calls. */
        EVERY_FEATURE(Map.of("NetworkFromService", "web", "TriggerPublishers", CI_ROLE));

        private final Map<String, String> parameters;

        Deployment(Map<String, String> extra) {
            Map<String, String> all = new TreeMap<>(REQUIRED);
            all.putAll(extra);
            this.parameters = Map.copyOf(all);
        }
    }

    /** IAM service prefix of each SDK client; a client that is missing here fails the test until it is added. */
    private static final Map<String, String> IAM_PREFIX = Map.of(
            "EcsClient", "ecs",
            "EventBridgeClient", "events",
            "DynamoDbClient", "dynamodb",
            "CloudWatchClient", "cloudwatch",
            "LambdaClient", "lambda");

    /** Methods of a service client that are not API operations. */
    private static final Set<String> NOT_OPERATIONS = Set.of("close", "serviceName", "serviceClientConfiguration", "utilities", "waiter");

    /**
     * What IAM authorizes besides the called action. RunTask tags the task at launch, which ECS authorizes as
     * ecs:TagResource, and hands the task definition's task and execution roles to ECS, which is iam:PassRole.
     */
    private static final Map<String, Set<String>> IMPLIED = Map.of(
            "ecs:RunTask", Set.of("ecs:TagResource", "iam:PassRole"));

    /**
     * Operations that IAM does not authorize as such: DynamoDB authorizes a TransactWriteItems call by the
     * kind of each item in it, which {@link #TRANSACTION_ITEM_ACTIONS} reads from the code.
     */
    private static final Set<String> NOT_IAM_ACTIONS = Set.of("dynamodb:TransactWriteItems");

    /** The builder of a transaction's item: the method the code calls on it says which action IAM checks. */
    private static final String TRANSACTION_ITEM = "software/amazon/awssdk/services/dynamodb/model/TransactWriteItem$Builder";
    private static final Map<String, String> TRANSACTION_ITEM_ACTIONS = Map.of(
            "put", "dynamodb:PutItem",
            "update", "dynamodb:UpdateItem",
            "delete", "dynamodb:DeleteItem",
            "conditionCheck", "dynamodb:ConditionCheckItem");

    /**
     * What Lambda itself does with the function's role, by the target's service: it delivers failed asynchronous
     * invocations to the EventInvokeConfig destinations and to the function's dead-letter target.
     */
    private static final Map<String, String> DELIVERY = Map.of(
            "sqs", "sqs:SendMessage",
            "sns", "sns:Publish",
            "lambda", "lambda:InvokeFunction",
            "events", "events:PutEvents");

    /** AWS managed policies that SAM attaches for the Lambda service's own use (writing the function's logs). */
    private static final Set<String> LAMBDA_SERVICE_POLICIES = Set.of(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");

    private static final Pattern SDK_CLIENT = Pattern.compile("software/amazon/awssdk/services/[a-z0-9]+/(\\w+?)(Async)?Client");
    private static final Pattern OWN_CLASS_IN_DESCRIPTOR = Pattern.compile("L(" + OWN_PACKAGE + "[\\w/$]+)[;<]");
    private static final Pattern ACTION = Pattern.compile("[a-z0-9-]+:[A-Za-z0-9]+");

    private static Map<String, ClassModel> mainClasses;
    private static Map<Deployment, List<Function>> deployed;

    /** One Lambda function of the transformed template: its handler class, its role's statements, and Lambda's deliveries. */
    private record Function(String logicalId, String handlerClass, List<JsonNode> statements, Set<String> deliveryActions) {

        Set<String> allowedActions() {
            Set<String> actions = new TreeSet<>();
            statements.stream().filter(s -> "Allow".equals(s.path("Effect").asText()))
                    .forEach(s -> actions.addAll(strings(s.path("Action"))));
            return actions;
        }

        List<JsonNode> allowing(String action) {
            return statements.stream().filter(s -> strings(s.path("Action")).contains(action)).toList();
        }

        @Override
        public String toString() {
            return logicalId;
        }
    }

    @BeforeAll
    static void load() throws Exception {
        mainClasses = compiledClasses();
        deployed = new LinkedHashMap<>();
        for (Deployment deployment : Deployment.values()) {
            deployed.put(deployment, functions(deployment));
        }
    }

    @Test
    void codeCalls_whenDerivedFromCompiledClasses_areNotEmpty() {
        assertThat(mainClasses).as("compiled classes under " + MAIN_CLASSES).isNotEmpty();
        assertThat(calledActions(mainClasses.values())).as("SDK calls found in " + MAIN_CLASSES).isNotEmpty();
        for (Function function : deployed.get(Deployment.EVERY_FEATURE)) {
            assertThat(calledActions(reachableFrom(function.handlerClass())))
                    .as("SDK calls reachable from " + function.handlerClass()).isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Deployment.class)
    void policy_whenTranslated_resolvesEveryStatementToConcreteStrings(Deployment deployment) {
        assertThat(deployed.get(deployment)).as("Lambda functions in " + TEMPLATE).isNotEmpty();
        for (Function function : deployed.get(deployment)) {
            assertThat(function.statements()).as(function + "'s statements").isNotEmpty();
            for (JsonNode statement : function.statements()) {
                assertThat(statement.toString()).as(function + " statement").doesNotContain("Fn::", "${", "\"Ref\"");
                JsonNode resource = statement.has("Resource") ? statement.path("Resource") : statement.path("NotResource");
                assertThat(resource.isTextual() || resource.isArray() && !resource.isEmpty()
                        && resource.valueStream().allMatch(JsonNode::isTextual)).as(function + " resource " + resource).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Deployment.class)
    void policy_whenTranslated_namesEveryActionWithoutWildcardOrNotAction(Deployment deployment) {
        for (Function function : deployed.get(deployment)) {
            for (JsonNode statement : function.statements()) {
                assertThat(statement.has("NotAction")).as(function + " statement with NotAction: " + statement).isFalse();
                assertThat(strings(statement.path("Action"))).as(function + " statement " + statement)
                        .isNotEmpty().allMatch(action -> ACTION.matcher(action).matches(), "is one service:Operation, no wildcard");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Deployment.class)
    void runTaskAndPassRole_whenAllowed_nameTheirResourcesAndConditions(Deployment deployment) {
        String cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/" + REQUIRED.get("ClusterName");
        List<String> families = List.of(REQUIRED.get("AllowedFamilies").split(","));
        List<String> taskRoles = List.of(REQUIRED.get("TaskRoleArns").split(","));
        List<Function> starters = deployed.get(deployment).stream()
                .filter(function -> calledActions(reachableFrom(function.handlerClass())).contains("ecs:RunTask")).toList();
        assertThat(starters).as("functions whose code starts tasks").isNotEmpty();
        for (Function function : starters) {
            List<JsonNode> runTask = function.allowing("ecs:RunTask");
            assertThat(runTask).as(function + " statements allowing ecs:RunTask").isNotEmpty();
            for (JsonNode statement : runTask) {
                assertThat(strings(statement.path("Resource"))).as("ecs:RunTask resources")
                        .doesNotContain("*")
                        .allMatch(arn -> families.stream().anyMatch(f -> arn.endsWith(":task-definition/" + f + ":*")), "names an allowed family")
                        .hasSameSizeAs(families);
                JsonNode condition = statement.path("Condition");
                assertThat(Stream.of("ArnEquals", "StringEquals").map(op -> condition.path(op).path("ecs:cluster").asText()))
                        .as("ecs:RunTask condition " + condition).contains(cluster);
            }
            List<JsonNode> passRole = function.allowing("iam:PassRole");
            assertThat(passRole).as(function + " statements allowing iam:PassRole").isNotEmpty();
            for (JsonNode statement : passRole) {
                assertThat(strings(statement.path("Resource"))).as("iam:PassRole resources")
                        .doesNotContain("*").containsExactlyInAnyOrderElementsOf(taskRoles);
                assertThat(statement.path("Condition").path("StringEquals").path("iam:PassedToService").asText())
                        .as("iam:PassRole condition " + statement.path("Condition")).isEqualTo("ecs-tasks.amazonaws.com");
            }
        }
    }

    @Test
    void policyActions_withEveryFeature_equalTheCallsTheCodeMakes() {
        List<Function> functions = deployed.get(Deployment.EVERY_FEATURE);
        Set<String> allowed = new TreeSet<>();
        Set<String> needed = new TreeSet<>(calledActions(mainClasses.values()));
        for (Function function : functions) {
            allowed.addAll(function.allowedActions());
            needed.addAll(function.deliveryActions());
        }
        assertThat(allowed).as(() -> mismatch("the functions' roles", allowed, needed)).isEqualTo(needed);
    }

    static List<Function> functionsWithEveryFeature() {
        return deployed.get(Deployment.EVERY_FEATURE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functionsWithEveryFeature")
    void policyActions_perFunction_equalTheCallsReachableFromItsHandler(Function function) {
        Set<String> needed = new TreeSet<>(calledActions(reachableFrom(function.handlerClass())));
        needed.addAll(function.deliveryActions());
        Set<String> allowed = function.allowedActions();
        assertThat(allowed).as(() -> mismatch(function + "'s role", allowed, needed)).isEqualTo(needed);
    }

    @Test
    void policyActions_inMinimalDeployment_areAllCalledByTheCode() {
        for (Function function : deployed.get(Deployment.MINIMAL)) {
            Set<String> needed = new TreeSet<>(calledActions(reachableFrom(function.handlerClass())));
            needed.addAll(function.deliveryActions());
            Set<String> unused = new TreeSet<>(function.allowedActions());
            unused.removeAll(needed);
            assertThat(unused).as(function + "'s role allows actions that no code reachable from "
                    + function.handlerClass() + " calls").isEmpty();
        }
    }

    /**
     * The role a service's lifecycle hook names: only ECS may assume it, and it may only invoke the hook function's
     * alias; and the hook's own role reads service revisions of this cluster only.
     */
    @Test
    void hookInvokeRole_isForEcsOnly_andInvokesOnlyTheHook() {
        Evaluator template = new Evaluator(translate(Deployment.MINIMAL.parameters), Deployment.MINIMAL.parameters);
        JsonNode role = template.evaluate(template.resource("HookInvokeRole").path("Properties"));
        JsonNode trust = role.path("AssumeRolePolicyDocument").path("Statement");
        assertThat(trust).hasSize(1);
        assertThat(trust.path(0).path("Principal").toString()).isEqualTo("{\"Service\":\"ecs.amazonaws.com\"}");
        assertThat(strings(trust.path(0).path("Action"))).containsExactly("sts:AssumeRole");
        List<JsonNode> statements = new ArrayList<>();
        role.path("Policies").forEach(policy -> policy.path("PolicyDocument").path("Statement").forEach(statements::add));
        assertThat(statements).singleElement().satisfies(statement -> {
            assertThat(strings(statement.path("Action"))).containsExactly("lambda:InvokeFunction");
            assertThat(strings(statement.path("Resource"))).containsExactly("DeploymentHookFunctionAliaslive");
        });
        Function hook = deployed.get(Deployment.MINIMAL).stream().filter(f -> f.logicalId().equals("DeploymentHookFunction")).findFirst().orElseThrow();
        for (JsonNode statement : hook.allowing("ecs:DescribeServiceRevisions")) {
            assertThat(strings(statement.path("Resource"))).containsExactlyInAnyOrder(
                    "arn:aws:ecs:us-east-1:123456789012:service/migrations/*",
                    "arn:aws:ecs:us-east-1:123456789012:service-revision/migrations/*");
        }
        assertThat(hook.allowing("ecs:DescribeServiceRevisions")).isNotEmpty();
    }

    /**
     * With TriggerPublishers named, the stack's own trigger bus lets them put events and denies everyone
     * else, this account's principals included, and the trigger rule listens on that bus; without, there is
     * no such bus and the rule listens on TriggerEventBusName.
     */
    @Test
    void triggerBus_whenPublishersAreNamed_deniesEveryOtherPrincipal() throws Exception {
        Evaluator locked = new Evaluator(translate(Deployment.EVERY_FEATURE.parameters), Deployment.EVERY_FEATURE.parameters);
        JsonNode bus = locked.resources().path("TriggerBus");
        assertThat(locked.condition(bus.path("Condition").asText())).isTrue();
        JsonNode statements = locked.evaluate(bus.path("Properties").path("Policy").path("Statement"));
        String busArn = "arn:aws:events:us-east-1:123456789012:event-bus/policy-test-migration-trigger";

        assertThat(statements).hasSize(2);
        JsonNode allow = statements.get(0);
        assertThat(allow.path("Effect").asText()).isEqualTo("Allow");
        assertThat(strings(allow.path("Principal").path("AWS"))).containsExactly(CI_ROLE);
        assertThat(allow.path("Action").asText()).isEqualTo("events:PutEvents");
        assertThat(allow.path("Resource").asText()).isEqualTo(busArn);
        JsonNode deny = statements.get(1);
        assertThat(deny.path("Effect").asText()).isEqualTo("Deny");
        assertThat(deny.path("Principal").asText()).isEqualTo("*");
        assertThat(deny.path("Action").asText()).isEqualTo("events:PutEvents");
        assertThat(deny.path("Resource").asText()).isEqualTo(busArn);
        assertThat(strings(deny.path("Condition").path("ArnNotLike").path("aws:PrincipalArn"))).containsExactly(CI_ROLE);
        assertThat(triggerRuleBus(locked)).isEqualTo("TriggerBus");

        Evaluator open = new Evaluator(translate(Deployment.MINIMAL.parameters), Deployment.MINIMAL.parameters);
        assertThat(open.condition(open.resources().path("TriggerBus").path("Condition").asText())).isFalse();
        assertThat(triggerRuleBus(open)).isEqualTo("default");
    }

    private static String triggerRuleBus(Evaluator template) {
        List<String> buses = new ArrayList<>();
        template.resources().forEach(resource -> {
            if (resource.path("Type").asText().equals("AWS::Events::Rule")
                    && resource.path("Properties").path("EventPattern").path("detail-type").toString().contains("AWS ECS Migration Task\"")) {
                buses.add(template.evaluate(resource.path("Properties").path("EventBusName")).asText());
            }
        });
        assertThat(buses).as("one trigger rule").hasSize(1);
        return buses.getFirst();
    }

    private static String mismatch(String what, Set<String> allowed, Set<String> needed) {
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(allowed);
        Set<String> unused = new TreeSet<>(allowed);
        unused.removeAll(needed);
        return what + " must allow exactly the actions the code calls (see PolicyTest.IMPLIED and DELIVERY for the"
                + " ones it needs besides): missing from the policy " + missing + "; allowed but never called " + unused;
    }

    // ---- The code side: SDK calls in the compiled classes ----

    private static Map<String, ClassModel> compiledClasses() throws IOException {
        assertThat(MAIN_CLASSES).as("compiled main classes; run mvn test-compile").isDirectory();
        Map<String, ClassModel> classes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN_CLASSES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                ClassModel model = ClassFile.of().parse(Files.readAllBytes(file));
                classes.put(model.thisClass().asInternalName(), model);
            }
        }
        return classes;
    }

    /** The classes of this project that the handler can reach through class references (reflection is not followed). */
    private static Collection<ClassModel> reachableFrom(String handlerClass) {
        assertThat(mainClasses).as("handler class " + handlerClass + " in " + MAIN_CLASSES).containsKey(handlerClass);
        Map<String, ClassModel> reached = new LinkedHashMap<>();
        Deque<String> todo = new ArrayDeque<>(List.of(handlerClass));
        while (!todo.isEmpty()) {
            String name = todo.pop();
            ClassModel model = mainClasses.get(name);
            if (model == null || reached.putIfAbsent(name, model) != null) {
                continue;
            }
            for (PoolEntry entry : model.constantPool()) {
                if (entry instanceof Utf8Entry utf8) {
                    String text = utf8.stringValue();
                    if (text.startsWith(OWN_PACKAGE)) {
                        todo.push(text);
                    }
                    Matcher descriptor = OWN_CLASS_IN_DESCRIPTOR.matcher(text);
                    while (descriptor.find()) {
                        todo.push(descriptor.group(1));
                    }
                }
            }
        }
        return reached.values();
    }

    /** The IAM actions of every SDK operation these classes call, with the actions IAM requires for them. */
    private static Set<String> calledActions(Collection<ClassModel> classes) {
        Set<String> actions = new TreeSet<>();
        for (ClassModel model : classes) {
            for (MethodModel method : model.methods()) {
                CodeModel code = method.code().orElse(null);
                if (code == null) {
                    continue;
                }
                code.forEach(element -> {
                    if (element instanceof InvokeInstruction invoke && invoke.opcode() != Opcode.INVOKESTATIC) {
                        action(invoke.owner().asInternalName(), invoke.name().stringValue()).ifPresent(actions::add);
                    } else if (element instanceof InvokeDynamicInstruction indy) {
                        // Method references such as ecs::runTask.
                        indy.bootstrapArgs().stream()
                                .filter(arg -> arg instanceof DirectMethodHandleDesc handle && handle.kind() != DirectMethodHandleDesc.Kind.STATIC
                                        && handle.kind() != DirectMethodHandleDesc.Kind.INTERFACE_STATIC)
                                .map(DirectMethodHandleDesc.class::cast)
                                .forEach(handle -> action(internalName(handle.owner().descriptorString()), handle.methodName())
                                        .ifPresent(actions::add));
                    }
                });
            }
        }
        for (String action : List.copyOf(actions)) {
            actions.addAll(IMPLIED.getOrDefault(action, Set.of()));
        }
        actions.removeAll(NOT_IAM_ACTIONS);
        return actions;
    }

    private static Optional<String> action(String owner, String method) {
        if (owner.equals(TRANSACTION_ITEM) && TRANSACTION_ITEM_ACTIONS.containsKey(method)) {
            return Optional.of(TRANSACTION_ITEM_ACTIONS.get(method));
        }
        Matcher client = SDK_CLIENT.matcher(owner);
        if (!client.matches() || NOT_OPERATIONS.contains(method)) {
            return Optional.empty();
        }
        String name = client.group(1) + "Client";
        String prefix = IAM_PREFIX.get(name);
        assertThat(prefix).as("the code calls " + owner + "." + method + ": add " + name + "'s IAM prefix to PolicyTest.IAM_PREFIX").isNotNull();
        String operation = method.endsWith("Paginator") ? method.substring(0, method.length() - "Paginator".length()) : method;
        return Optional.of(prefix + ":" + Character.toUpperCase(operation.charAt(0)) + operation.substring(1));
    }

    private static String internalName(String descriptor) {
        return descriptor.substring(1, descriptor.length() - 1);
    }

    // ---- The policy side: template.yaml through the SAM translator ----

    private static List<Function> functions(Deployment deployment) throws Exception {
        Evaluator template = new Evaluator(translate(deployment.parameters), deployment.parameters);
        List<Function> functions = new ArrayList<>();
        template.resources().forEachEntry((id, resource) -> {
            if ("AWS::Lambda::Function".equals(resource.path("Type").asText())) {
                JsonNode properties = resource.path("Properties");
                String handler = properties.path("Handler").asText();
                functions.add(new Function(id, handler.split("::")[0].replace('.', '/'),
                        template.statementsOf(template.roleOf(id)), template.deliveryActionsOf(id)));
            }
        });
        return functions;
    }

    private static JsonNode translate(Map<String, String> parameters) {
        return DeployedTemplate.translate(TEMPLATE, parameters);
    }

    private static List<String> strings(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        return node.isArray() ? node.valueStream().map(JsonNode::asText).toList() : List.of(node.asText());
    }

    /** The deployed template, and what it gives each function's role. */
    private static final class Evaluator extends DeployedTemplate {

        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

        Evaluator(JsonNode template, Map<String, String> values) {
            super(template, values);
        }

        String roleOf(String functionId) {
            JsonNode role = resource(functionId).path("Properties").path("Role");
            String roleId = role.path("Fn::GetAtt").path(0).asText();
            assertThat(resource(roleId).path("Type").asText())
                    .as(functionId + "'s Role " + role + " must be an AWS::IAM::Role of this template for this test to check it")
                    .isEqualTo("AWS::IAM::Role");
            return roleId;
        }

        /** Statements of the role's inline policies, of the managed policies it names, and of policies attached to it. */
        List<JsonNode> statementsOf(String roleId) {
            JsonNode role = resource(roleId).path("Properties");
            List<JsonNode> documents = new ArrayList<>();
            evaluate(role.path("Policies")).forEach(policy -> documents.add(policy.path("PolicyDocument")));
            for (String arn : strings(evaluate(role.path("ManagedPolicyArns")))) {
                if (resource(arn).path("Type").asText().equals("AWS::IAM::ManagedPolicy")) {
                    documents.add(evaluate(resource(arn).path("Properties").path("PolicyDocument")));
                } else {
                    assertThat(LAMBDA_SERVICE_POLICIES).as(roleId + " names managed policy " + arn
                            + ", whose actions this test cannot see: use an inline policy").contains(arn);
                }
            }
            JsonNode ref = NODES.objectNode().put("Ref", roleId);
            resources().forEachEntry((id, resource) -> {
                JsonNode properties = resource.path("Properties");
                boolean attached = switch (resource.path("Type").asText()) {
                    case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" -> properties.path("Roles").valueStream().anyMatch(ref::equals);
                    case "AWS::IAM::RolePolicy" -> ref.equals(properties.path("RoleName"));
                    default -> false;
                };
                if (attached) {
                    documents.add(evaluate(properties.path("PolicyDocument")));
                }
            });
            List<JsonNode> statements = new ArrayList<>();
            for (JsonNode document : documents) {
                JsonNode statement = document.path("Statement");
                if (statement.isArray()) {
                    statement.forEach(statements::add);
                } else if (statement.isObject()) {
                    statements.add(statement);
                }
            }
            return statements;
        }

        /** Actions Lambda performs with the function's role: delivering to destinations and to the dead-letter target. */
        Set<String> deliveryActionsOf(String functionId) {
            List<JsonNode> targets = new ArrayList<>();
            targets.add(resource(functionId).path("Properties").path("DeadLetterConfig").path("TargetArn"));
            JsonNode ref = NODES.objectNode().put("Ref", functionId);
            resources().forEach(resource -> {
                if (resource.path("Type").asText().equals("AWS::Lambda::EventInvokeConfig")
                        && ref.equals(resource.path("Properties").path("FunctionName"))) {
                    resource.path("Properties").path("DestinationConfig").forEach(d -> targets.add(d.path("Destination")));
                }
            });
            Set<String> actions = new TreeSet<>();
            for (JsonNode target : targets) {
                if (target.isMissingNode()) {
                    continue;
                }
                String referenced = target.has("Fn::GetAtt") ? target.path("Fn::GetAtt").path(0).asText() : target.path("Ref").asText();
                String service = resources().has(referenced)
                        ? resource(referenced).path("Type").asText().split("::")[1].toLowerCase(Locale.ROOT)
                        : evaluate(target).asText().split(":")[2];
                assertThat(DELIVERY).as(functionId + " delivers to " + target + ": add its action to PolicyTest.DELIVERY").containsKey(service);
                actions.add(DELIVERY.get(service));
            }
            return actions;
        }
    }
}
