package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.PayaraNode;

/** A node that starts answers the API only once the application is deployed: until then it refuses connections. */
class StartIT {

    @Test
    void aStartingNodeRefusesConnectionsUntilItAnswersAsTheApplication() throws Exception {
        var answers = new ConcurrentLinkedQueue<String>();
        var refused = new AtomicInteger();
        var watching = new AtomicBoolean(true);
        var watcher = new Thread[1];
        try (var node = PayaraNode.start(Map.of(), base -> watcher[0] = Thread.ofPlatform().start(() -> {
            while (watching.get()) {
                try {
                    var response = Deployed.get(base.resolve("api/boards"));
                    answers.add(response.statusCode() + " " + response.headers().firstValue("Content-Type").orElse("none"));
                } catch (RuntimeException notListening) {
                    refused.incrementAndGet();
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }))) {
            var first = answers.size();
            while (answers.size() < first + 20) {
                Thread.sleep(20);
            }
            watching.set(false); // before the node stops: this is about its start
            watcher[0].join();
        } finally {
            watching.set(false);
        }
        System.out.printf("while a node started: %d connections refused, then %d answers%n", refused.get(), answers.size());
        assertThat(refused.get()).as("it was watched while it started").isPositive();
        assertThat(answers).as("every answer is the application's: its JSON, or 503 problem+json")
                .isNotEmpty()
                .allMatch(a -> a.startsWith("200 application/json") || a.startsWith("503 application/problem+json"));
    }
}
