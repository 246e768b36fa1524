package org.switchboard.ui.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;

/**
 * Every operation of the API description, walked: for each, malformed requests made from what the
 * description says it takes (names that break the path's rules, numbers that are not, bodies that
 * are not JSON, not the declared type, without required fields, with fields of the wrong type, with
 * a key twice, oversized, of another media type). Every answer must be a 4xx
 * {@code application/problem+json} whose {@code status} is the HTTP status, and nothing may be stored.
 */
class BadInputIT extends ClientSideIT {

    /** Names no other test uses: anything stored under them shows in the listings afterwards. */
    final String walk = "walk-" + UUID.randomUUID().toString().substring(0, 8);

    record Bad(String method, String path, Map<String, String> headers, String body, String why) {
    }

    @Test
    void everyOperationAnswersMalformedInputWithAProblemAndStoresNothing() throws Exception {
        var spec = Api.json(Deployed.get(base.resolve("/openapi"), "Accept", "application/json").body());
        var schemas = spec.getJsonObject("components").getJsonObject("schemas");
        var requests = new ArrayList<Bad>();
        var operations = 0;
        for (var path : spec.getJsonObject("paths").entrySet()) {
            for (var operation : path.getValue().asJsonObject().entrySet()) {
                operations++;
                requests.addAll(malformed(path.getKey(), operation.getKey().toUpperCase(), operation.getValue().asJsonObject(), schemas));
            }
        }
        var failures = new ArrayList<String>();
        for (var bad : requests) {
            var response = send(bad);
            var problem = problemOf(response);
            if (problem != null) {
                failures.add(bad.method() + " " + bad.path() + " (" + bad.why() + "): " + problem);
            }
        }
        System.out.printf("%d malformed requests to the %d operations of the API description%n", requests.size(), operations);
        assertThat(failures).as("answers that are not a 4xx problem+json with its status").isEmpty();
        assertThat(requests).as("the walk covered the API").hasSizeGreaterThan(150);
        assertThat(Deployed.get(base.resolve("api/boards")).body()).as("no board stored").doesNotContain(walk);
        assertThat(Deployed.get(base.resolve("api/chat/rooms")).body()).as("no chat message stored").doesNotContain(walk);
        assertThat(admin("api/jobs/queues")).as("no job enqueued").doesNotContain(walk);
        assertThat(admin("api/ledger/accounts")).as("no account created").doesNotContain(walk);
        assertThat(Deployed.get(base.resolve("api/ledger/transfers/" + walk), "Authorization", basic()).statusCode())
                .as("no transfer made").isEqualTo(404);
    }

    @Test
    void everyOperationDescribesItsBodyAndItsErrorAnswersWithAnExampleEach() {
        var spec = Api.json(Deployed.get(base.resolve("/openapi"), "Accept", "application/json").body());
        var components = spec.getJsonObject("components");
        var operations = 0;
        var described = 0;
        for (var path : spec.getJsonObject("paths").entrySet()) {
            for (var entry : path.getValue().asJsonObject().entrySet()) {
                operations++;
                var name = entry.getKey().toUpperCase() + " " + path.getKey();
                var operation = entry.getValue().asJsonObject();
                var responses = operation.getJsonObject("responses");
                assertThat(responses.keySet()).as(name).contains("503").anyMatch(code -> code.startsWith("4"));
                for (var code : responses.keySet().stream().filter(c -> c.startsWith("4") || c.startsWith("5")).toList()) {
                    var ref = responses.getJsonObject(code).getString("$ref").replace("#/components/responses/", "");
                    var example = components.getJsonObject("responses").getJsonObject(ref).getJsonObject("content")
                            .getJsonObject("application/problem+json").getJsonObject("example");
                    assertThat(example.getInt("status")).as(name + " " + code).isEqualTo(Integer.parseInt(code));
                }
                if (operation.containsKey("requestBody")) {
                    var schema = resolve(operation.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json")
                            .getJsonObject("schema"), components.getJsonObject("schemas"));
                    assertThat(schema.containsKey("example")).as(name + ": its body's example").isTrue();
                    assertThat(responses.keySet()).as(name).contains("400", "413", "415");
                }
                if (operation.containsKey("security")) {
                    assertThat(responses.keySet()).as(name).contains("401");
                }
                assertThat(responses.keySet()).as(name + ": its success answer, by status").anyMatch(c -> c.startsWith("2"));
                for (var code : responses.keySet().stream().filter(c -> c.startsWith("2")).toList()) {
                    var content = responses.getJsonObject(code).getJsonObject("content");
                    var json = content == null ? null : content.getJsonObject("application/json");
                    if (json != null) {
                        var schema = resolve(json.getJsonObject("schema"), components.getJsonObject("schemas"));
                        assertThat(schema.containsKey("example")).as(name + " " + code + ": its body's schema, with an example").isTrue();
                        described++;
                    }
                }
            }
        }
        assertThat(operations).isGreaterThan(30);
        assertThat(described).as("JSON success answers described, with an example: one per operation but the three event streams (chat, "
                + "boards, jobs) and the two 204s (deleting a dead job, deleting a board), and the batch's two more (an atomic one's 201 and 202)")
                .isEqualTo(operations - 5 + 2);
    }

    /** The malformed requests for one operation. */
    List<Bad> malformed(String template, String method, JsonObject operation, JsonObject schemas) {
        var out = new ArrayList<Bad>();
        var parameters = operation.containsKey("parameters") ? operation.getJsonArray("parameters").getValuesAs(JsonObject.class) : List.<JsonObject>of();
        var valid = fill(template, parameters, null, null);
        for (var parameter : parameters) {
            var name = parameter.getString("name");
            var where = parameter.getString("in");
            var integer = "integer".equals(type(parameter.getJsonObject("schema")));
            var patterned = parameter.containsKey("schema") && parameter.getJsonObject("schema").containsKey("pattern");
            var values = integer ? List.of("abc", "-1", "1.5", "99999999999999999999999") : "path".equals(where)
                    ? List.of("bad name!", "x".repeat(300)) : patterned ? List.of("bad name!") : List.<String>of();
            for (var value : values) {
                switch (where) {
                    case "path" -> out.add(new Bad(method, fill(template, parameters, name, value), Map.of(), null, name + "=" + value));
                    case "query" -> out.add(new Bad(method, valid + (valid.contains("?") ? "&" : "?") + name + "="
                            + URLEncoder.encode(value, StandardCharsets.UTF_8), Map.of(), null, name + "=" + value));
                    case "header" -> out.add(new Bad(method, valid, Map.of(name, value), null, name + ": " + value));
                    default -> { }
                }
            }
        }
        if (operation.containsKey("requestBody")) {
            var schema = resolve(operation.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json").getJsonObject("schema"), schemas);
            for (var body : List.of("{", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1, \"a\": 1}", "{\"x\": \"" + "a".repeat(3 * 1024 * 1024) + "\"}")) {
                out.add(new Bad(method, valid, Map.of(), body, "body " + (body.length() > 40 ? body.length() + " bytes" : body)));
            }
            out.add(new Bad(method, valid, Map.of("Content-Type", "text/plain"), "{\"queue\": \"" + walk + "\"}", "a text/plain body"));
            if ("object".equals(type(schema))) {
                for (var body : List.of("[]", "\"" + walk + "\"", "42", "null")) {
                    out.add(new Bad(method, valid, Map.of(), body, "body " + body));
                }
                var required = schema.containsKey("required") ? schema.getJsonArray("required").getValuesAs(JsonString.class) : List.<JsonString>of();
                if (!required.isEmpty()) {
                    out.add(new Bad(method, valid, Map.of(), "{\"queue\": \"" + walk + "\"}", "no required field"));
                }
                for (var field : required) {
                    var property = schema.getJsonObject("properties").getJsonObject(field.getString());
                    var wrong = "string".equals(type(property)) ? "12" : "\"" + walk + "\"";
                    var body = new StringBuilder("{");
                    for (var other : required) {
                        var value = other.equals(field) ? wrong : example(schema, other.getString());
                        body.append(body.length() > 1 ? ", " : "").append('"').append(other.getString()).append("\": ").append(value);
                    }
                    out.add(new Bad(method, valid, Map.of(), body.append('}').toString(), field.getString() + " of the wrong type"));
                }
            }
        }
        return out;
    }

    /** A value of a required field as its schema's example gives it, with this walk's names instead of the example's. */
    String example(JsonObject schema, String field) {
        var value = schema.containsKey("example") ? schema.getJsonObject("example").get(field) : null;
        if (value instanceof JsonString) {
            return "\"" + walk + "-" + field + "\"";
        }
        return value == null ? "\"" + walk + "\"" : value.toString();
    }

    /** The template with each path parameter filled: this walk's name, or {@code value} for the one named. */
    String fill(String template, List<JsonObject> parameters, String name, String value) {
        var path = template;
        for (var parameter : parameters) {
            if (!"path".equals(parameter.getString("in"))) {
                continue;
            }
            var p = parameter.getString("name");
            var filled = p.equals(name) ? value
                    : "integer".equals(type(parameter.getJsonObject("schema"))) ? "1" : walk;
            path = path.replace("{" + p + "}", URLEncoder.encode(filled, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path;
    }

    static String type(JsonObject schema) {
        return schema != null && schema.get("type") instanceof JsonString t ? t.getString() : null;
    }

    static JsonObject resolve(JsonObject schema, JsonObject schemas) {
        if (schema.containsKey("$ref")) {
            return schemas.getJsonObject(schema.getString("$ref").replace("#/components/schemas/", ""));
        }
        return schema;
    }

    HttpResponse<String> send(Bad bad) throws Exception {
        var request = HttpRequest.newBuilder(base.resolve(bad.path().substring(1))).timeout(Duration.ofSeconds(30))
                .header("Authorization", basic());
        var publisher = bad.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(bad.body());
        if (bad.body() != null && !bad.headers().containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        bad.headers().forEach(request::header);
        request.method(bad.method(), publisher);
        return Deployed.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** What is wrong with the answer, or null when it is a 4xx problem+json with its status. */
    static String problemOf(HttpResponse<String> response) {
        var status = response.statusCode();
        var type = response.headers().firstValue("Content-Type").orElse("none");
        if (status < 400 || status > 499) {
            return "status " + status + " " + type + " " + abbreviated(response.body());
        }
        if (!type.startsWith("application/problem+json")) {
            return status + " with " + type + " " + abbreviated(response.body());
        }
        try {
            var problem = Api.json(response.body());
            if (problem.get("status") == null || problem.get("status").getValueType() != JsonValue.ValueType.NUMBER
                    || problem.getInt("status") != status) {
                return status + " whose body's status is " + problem.get("status");
            }
            if (problem.getString("title", "").isBlank()) {
                return status + " without a title";
            }
        } catch (RuntimeException e) {
            return status + " whose body is not a JSON object: " + abbreviated(response.body());
        }
        return null;
    }

    private static String abbreviated(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private String admin(String path) {
        return Deployed.get(base.resolve(path), "Authorization", basic()).body();
    }

    private static String basic() {
        return Deployed.basic("admin", Deployed.adminPassword());
    }
}
