package org.switchboard.jobs.entity;

import jakarta.enterprise.concurrent.CronTrigger;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.regex.Pattern;

/**
 * A job enqueued at every tick of a cron expression (Jakarta Concurrency's {@link CronTrigger}
 * syntax: optional seconds, minutes, hours, day of month, month, day of week). Every node computes
 * the same ticks; the job of a tick is enqueued under the unique key {@code cron:name:tick}, so
 * exactly one node enqueues it however many run the schedule.
 */
public record CronSchedule(String name, String expression, ZoneId zone, String queue, String type, String payload) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public CronSchedule {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a cron schedule's name is 1 to 64 letters, digits, '.', '_' or '-': " + name);
        }
        new CronTrigger(expression, zone); // refuses a bad expression now, not at the first tick
    }

    /** The first tick strictly after {@code time}. */
    public ZonedDateTime next(ZonedDateTime time) {
        var trigger = new CronTrigger(expression, zone);
        var next = trigger.getNextRunTime(null, time.withZoneSameInstant(zone));
        while (next != null && !next.isAfter(time)) {
            next = trigger.getNextRunTime(null, next.plusSeconds(1));
        }
        return next;
    }

    /** How long a tick's unique key lives: twice the gap between ticks, from 10 s to a day. */
    public Duration dedupeWindow(ZonedDateTime tick) {
        var after = next(tick);
        var gap = after == null ? Duration.ofDays(1) : Duration.between(tick, after);
        var twice = gap.multipliedBy(2);
        return twice.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10)
                : twice.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : twice;
    }

    /**
     * Reads a schedule from configuration: {@code <cron expression>; <queue>; <type>[; <payload JSON>]},
     * for example {@code 0 3 * * *; default; report; {"kind":"daily"}}.
     */
    public static CronSchedule parse(String name, String setting, ZoneId zone) {
        var parts = setting.split(";", 4);
        if (parts.length < 3) {
            throw new IllegalArgumentException("cron schedule " + name + ": expected '<cron expression>; <queue>; <type>[; <payload>]', got '" + setting + "'");
        }
        var payload = parts.length == 4 && !parts[3].isBlank() ? parts[3].strip() : "{}";
        return new CronSchedule(name, parts[0].strip(), zone, parts[1].strip(), parts[2].strip(), payload);
    }
}
