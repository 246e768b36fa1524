package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.PayaraNode;
import org.switchboard.ui.support.SseReader;

/**
 * A node stopped under load (SIGTERM): it reports itself not ready first, tells its event streams to
 * reconnect and answers its long polls, finishes what is under way, then refuses connections. No
 * client sees a page of the container's or a 5xx other than 503.
 */
class StopIT {

    static final Duration GRACE = Duration.ofSeconds(8);

    @Test
    void aStoppingNodeDrainsAndNeverAnswersWithAnythingButTheApplicationsAnswers() throws Exception {
        var node = PayaraNode.start(Map.of("fish.payara.shutdowngrace", String.valueOf(GRACE.toMillis()),
                "switchboard.shutdown.notice-seconds", "2"));
        var base = node.base();
        var board = "stop-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(Api.putBoard(base, board, "{\"percent\":1}").statusCode()).isEqualTo(200);
        var stream = new SseReader(base.resolve("api/chat/rooms/" + board + "/events"));
        assertThat(stream.status).isEqualTo(200);
        // a job event stream waits on Redis for its queues' next events: the node ends it too, and its waits
        var jobEvents = new SseReader(base.resolve("api/jobs/events?queue=default&queue=" + board), "Authorization",
                Deployed.basic("admin", Deployed.adminPassword()));
        assertThat(jobEvents.status).isEqualTo(200);
        var boardEvents = new SseReader(base.resolve("api/boards/" + board + "/events"));
        assertThat(boardEvents.status).isEqualTo(200);
        var poll = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("api/boards/" + board + "?after=1&wait=60"))
                .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());

        var answers = new ConcurrentLinkedQueue<String>();
        var readiness = new ConcurrentLinkedQueue<String>();
        var running = new AtomicBoolean(true);
        var load = new ArrayList<Thread>();
        for (var path : List.of("api/boards/" + board, "api/chat/rooms/" + board + "/messages", "api/boards/" + board, "api/jobs/queues")) {
            load.add(Thread.ofPlatform().start(() -> hammer(base.resolve(path), answers, running)));
        }
        load.add(Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    readiness.add(String.valueOf(Deployed.get(base.resolve("/health/ready")).statusCode()));
                } catch (RuntimeException refused) {
                    readiness.add("refused");
                }
                pause();
            }
        }));
        Thread.sleep(1000);
        var stopping = System.nanoTime();
        node.stop(GRACE.plusSeconds(30));
        var took = Duration.ofNanos(System.nanoTime() - stopping);
        running.set(false);
        for (var thread : load) {
            thread.join();
        }

        System.out.printf("stopped in %d ms; answers while stopping: %s; readiness: %s%n", took.toMillis(), summary(answers), summary(readiness));
        assertThat(node.isAlive()).isFalse();
        assertThat(answers).as("only the application's answers: JSON, or 503 problem+json")
                .isNotEmpty()
                .allMatch(a -> a.equals("refused") || a.startsWith("200 application/json") || a.startsWith("503 application/problem+json"));
        var states = List.copyOf(readiness);
        assertThat(states).as("ready, then not ready, then gone").contains("200", "503");
        assertThat(states.indexOf("503")).isLessThan(states.lastIndexOf("200") < 0 ? Integer.MAX_VALUE : states.size());
        assertThat(states.subList(states.indexOf("503"), states.size())).as("never ready again once it began to stop").doesNotContain("200");
        assertThat(stream.endedByServer).as("the event stream was ended by the node").isTrue();
        assertThat(stream.retry).as("with a reconnection delay").isEqualTo("1000");
        assertThat(jobEvents.endedByServer).as("the job event stream too").isTrue();
        assertThat(jobEvents.retry).isEqualTo("1000");
        assertThat(boardEvents.endedByServer).as("and the board's").isTrue();
        assertThat(boardEvents.retry).isEqualTo("1000");
        var polled = poll.get();
        assertThat(polled.statusCode()).as("the long poll was answered, not cut").isEqualTo(200);
        assertThat(Api.json(polled.body()).getInt("revision")).isEqualTo(1);
        assertThat(took).as("within the grace, and the application's own stop").isLessThan(GRACE.plusSeconds(25));
    }

    private static void hammer(URI uri, ConcurrentLinkedQueue<String> answers, AtomicBoolean running) {
        while (running.get()) {
            try {
                var response = Deployed.get(uri, "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
                answers.add(response.statusCode() + " " + response.headers().firstValue("Content-Type").orElse("none"));
            } catch (RuntimeException refused) {
                answers.add("refused");
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String summary(ConcurrentLinkedQueue<String> seen) {
        var counts = new java.util.TreeMap<String, Integer>();
        seen.forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts.toString();
    }
}
