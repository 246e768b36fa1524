package org.switchboard.ledger.control;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.switchboard.ledger.boundary.InvalidLedgerRequestException;
import org.switchboard.ledger.boundary.LedgerUnavailableException;
import org.switchboard.ledger.boundary.RelayAnswer;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * Transfers handed from node to node over HTTP, when every node is given its own address
 * ({@code switchboard.ledger.relay-url}) and one shared secret ({@code switchboard.ledger.relay-secret}).
 * The node that decides names its address in the heads it commits; another node sends its callers'
 * transfers there and answers them with what comes back, as if its caller had called the deciding
 * node. Without it the only way between the nodes is the database: an inbox write, and both nodes'
 * changes feeds, each a request to CouchDB per hand-off. Whatever goes wrong on the way (the node
 * gone, a secret that differs, no answer in time) the sending node decides the transfer the other
 * way; the transfer's id makes a second attempt answer the first one's outcome.
 */
public final class Relay {

    /** A relayed transfer and its answer are a few hundred bytes; anything much larger is not one. */
    static final int MAX_BODY = 4096;
    /** The longest wait a relayed transfer may ask for: the callers' own wait is seconds. */
    static final Duration MAX_WAIT = Duration.ofSeconds(120);

    /** The shortest shared secret taken. */
    static final int MIN_SECRET = 16;

    private final String address;
    /** The {@code Authorization} header every relayed transfer carries: the shared secret. */
    private final String authorization;
    private final CloseableHttpClient http;
    /** Transfers this node sent to another and got answered: for tests and metrics. */
    final AtomicInteger sent = new AtomicInteger();
    /** Transfers another node sent here and got answered. */
    final AtomicInteger received = new AtomicInteger();

    private Relay(String address, String secret) {
        this.address = address;
        this.authorization = secret == null ? null : "Bearer " + secret;
        // a blocking client: the caller's thread does the exchange, with no hand-off between threads
        // (measured in docs/benchmarks.md: the JDK's client took some 8 ms a call, this one about 3)
        this.http = address == null ? null : HttpClients.custom().setMaxConnTotal(256).setMaxConnPerRoute(256)
                .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(1000).setConnectionRequestTimeout(1000).build())
                .disableAutomaticRetries().build();
    }

    /** No relay: the nodes hand over through the database. */
    public static Relay off() {
        return new Relay(null, null);
    }

    /**
     * A relay for the node reached at {@code address} (the full URL of its relay endpoint), with the
     * secret every node shares (at least {@value #MIN_SECRET} characters); off unless both are given.
     */
    public static Relay at(String address, String secret) {
        if (address == null || address.isBlank() || secret == null || secret.isBlank()) {
            return off();
        }
        if (secret.length() < MIN_SECRET) {
            // the endpoint takes no login: a short secret could be guessed by trying
            throw new IllegalArgumentException("switchboard.ledger.relay-secret has at least " + MIN_SECRET + " characters");
        }
        var uri = URI.create(address.strip());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("switchboard.ledger.relay-url is an http or https URL, not " + address);
        }
        return new Relay(uri.toString(), secret);
    }

    public boolean on() {
        return address != null;
    }

    /** Where the other nodes reach this one, named in the heads it commits; null when off. */
    String address() {
        return address;
    }

    /**
     * Sends the transfer to the node at {@code to} and answers it as that node answered (decided, or
     * stored pending when the wait ran out). Empty when the other node did not answer with an outcome:
     * the caller decides the transfer another way. A refusal (another transfer holds the id, an
     * unknown account) is thrown as this node would throw it.
     */
    Optional<Transfer> send(String to, Transfer fresh, Duration wait) {
        var failed = failure;
        if (!on() || to == null || to.equals(address) || failed != null && failed.address().equals(to)
                && System.nanoTime() - failed.at() < RESTING.toNanos()) {
            return Optional.empty();
        }
        var answer = exchange(to, fresh, wait);
        if (answer.isEmpty()) {
            failure = new Failure(to, System.nanoTime());
        }
        return answer;
    }

    /** The last address that gave no outcome, and when (nanoTime). */
    private record Failure(String address, long at) {
    }

    private volatile Failure failure;
    /**
     * How long a node leaves alone an address that gave no outcome: a relay misconfigured, or one
     * that cannot be reached (a connection that waits for its timeout), would otherwise delay every
     * transfer before it goes the database's way.
     */
    static final Duration RESTING = Duration.ofSeconds(5);

    private Optional<Transfer> exchange(String to, Transfer fresh, Duration wait) {
        var body = CouchLedgerStore.freshJson(fresh);
        body.addProperty("waitMillis", Math.max(1, wait.toMillis()));
        int status;
        String text;
        try {
            var post = new HttpPost(URI.create(to));
            post.setConfig(RequestConfig.copy(RequestConfig.DEFAULT).setConnectTimeout(1000).setConnectionRequestTimeout(1000)
                    .setSocketTimeout((int) Math.min(Integer.MAX_VALUE, wait.plusSeconds(2).toMillis())).build());
            post.setHeader("Authorization", authorization);
            post.setEntity(new StringEntity(body.toString(), ContentType.APPLICATION_JSON));
            try (var response = http.execute(post)) {
                status = response.getStatusLine().getStatusCode();
                text = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            var answer = JsonParser.parseString(text).getAsJsonObject();
            switch (status) {
                case 200 -> {
                    var t = CouchLedgerStore.transfer(answer);
                    if (!t.id().equals(fresh.id())) {
                        return Optional.empty();
                    }
                    sent.incrementAndGet();
                    return Optional.of(t);
                }
                case 400 -> throw new InvalidLedgerRequestException(answer.get("field").getAsString(), answer.get("detail").getAsString());
                case 409 -> throw new TransferConflictException(answer.get("field").getAsString(), answer.get("detail").getAsString());
                default -> {
                    return Optional.empty();
                }
            }
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            return Optional.empty(); // not the relay's answer (a proxy's page, a node of another version)
        }
    }

    /**
     * Answers a relayed transfer: {@code decide} takes it (and the wait its sender allows) as from a
     * caller of this node. 200 with the transfer decided or stored pending; otherwise
     * problem+json: 401 without the shared secret, 400 for a body that is not a transfer or a
     * transfer the ledger refuses, 409 when the id holds another transfer, 503 when CouchDB is out of
     * reach (the sender then decides it another way).
     */
    public RelayAnswer receive(String authorization, String body, BiFunction<Transfer, Duration, Transfer> decide) {
        if (!on()) {
            return problem(404, "Not Found", "this node takes no relayed transfers", null);
        }
        if (authorization == null || !MessageDigest.isEqual(this.authorization.getBytes(StandardCharsets.UTF_8),
                authorization.getBytes(StandardCharsets.UTF_8))) {
            return problem(401, "Unauthorized", "a relayed transfer carries the nodes' shared secret", null);
        }
        if (body == null || body.length() > MAX_BODY) {
            return problem(400, "Bad Request", "a relayed transfer is one JSON object of at most " + MAX_BODY + " characters", null);
        }
        Transfer fresh;
        Duration wait;
        try {
            var o = JsonParser.parseString(body).getAsJsonObject();
            fresh = CouchLedgerStore.fresh(o);
            var millis = o.get("waitMillis").getAsLong();
            wait = Duration.ofMillis(Math.clamp(millis, 1, MAX_WAIT.toMillis()));
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                 | IllegalArgumentException | java.time.DateTimeException e) {
            return problem(400, "Bad Request", "a relayed transfer has id, from, to, amount, timestamp, its two-phase fields if any, and waitMillis", null);
        }
        try {
            var answer = decide.apply(fresh, wait);
            received.incrementAndGet();
            return new RelayAnswer(200, "application/json", CouchLedgerStore.transferJson(answer).toString());
        } catch (InvalidLedgerRequestException e) {
            return problem(400, "Bad Request", e.getMessage(), e.field());
        } catch (TransferConflictException e) {
            return problem(409, "Conflict", e.getMessage(), e.field());
        } catch (LedgerUnavailableException e) {
            return problem(503, "Service Unavailable", e.getMessage(), null);
        }
    }

    /**
     * Serves a relay endpoint on the JDK's HTTP server, at {@code /relay} on 127.0.0.1 and a free
     * port, for a node outside a container (tools, tests): {@code answer} takes the request's
     * {@code Authorization} header and body. In the application the REST API serves it instead.
     */
    public static HttpServer serve(BiFunction<String, String, RelayAnswer> answer) throws IOException {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/relay", exchange -> {
            try (exchange) {
                var body = new String(exchange.getRequestBody().readNBytes(MAX_BODY + 1), StandardCharsets.UTF_8);
                var a = answer.apply(exchange.getRequestHeaders().getFirst("Authorization"), body);
                var bytes = a.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", a.contentType());
                exchange.sendResponseHeaders(a.status(), bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    /** The address of a relay {@link #serve} started. */
    public static String address(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/relay";
    }

    private static RelayAnswer problem(int status, String title, String detail, String field) {
        var o = new JsonObject();
        o.addProperty("type", "about:blank");
        o.addProperty("title", title);
        o.addProperty("status", status);
        o.addProperty("detail", detail);
        if (field != null) {
            o.addProperty("field", field);
        }
        return new RelayAnswer(status, "application/problem+json", o.toString());
    }
}
