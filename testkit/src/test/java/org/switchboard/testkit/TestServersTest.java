package org.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

/** The harness starts real servers that answer their protocols, and a killed Redis comes back with its data. */
class TestServersTest {

    @Test
    void redisAnswersAndKeepsAcknowledgedWritesAcrossAKill() throws Exception {
        var redis = TestServers.redis();
        assertThat(resp(redis.port(), "SET", "testkit:k", "v")).isEqualTo("+OK");
        // appendfsync everysec: a write is on disk within about a second
        FreePort.sleep(1500);
        redis.kill();
        redis.start();
        assertThat(resp(redis.port(), "GET", "testkit:k")).isEqualTo("$1");
        resp(redis.port(), "DEL", "testkit:k");
    }

    @Test
    void pouchDbServerStoresAndReturnsADocumentThroughTheCouchDbApi() throws Exception {
        var http = HttpClient.newHttpClient();
        var db = TestServers.pouchDb().url() + "/testkit-" + System.nanoTime();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(db)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
        var put = http.send(HttpRequest.newBuilder(URI.create(db + "/doc1")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"amount\":42}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        var get = http.send(HttpRequest.newBuilder(URI.create(db + "/doc1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.body()).contains("\"amount\":42").contains("\"_rev\":\"1-");
        http.send(HttpRequest.newBuilder(URI.create(db)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void postgresAcceptsConnections() throws Exception {
        var pg = TestServers.requirePostgres();
        try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             var result = connection.createStatement().executeQuery("select 40 + 2")) {
            result.next();
            assertThat(result.getInt(1)).isEqualTo(42);
        }
    }

    /** One command over the Redis protocol; answers the first line of the reply. */
    static String resp(int port, String... args) throws Exception {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            var command = new StringBuilder("*" + args.length + "\r\n");
            for (var arg : args) {
                command.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }
}
