package org.switchboard.ui.jobs;

import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import org.switchboard.jobs.boundary.InvalidJobRequestException;
import org.switchboard.jobs.boundary.JobQueues;
import org.switchboard.jobs.boundary.JobRequest;
import org.switchboard.jobs.entity.CronSchedule;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.jobs.entity.QueueStats;
import org.switchboard.jobs.entity.Worker;

/**
 * The jobs dashboard (admin), after Sidekiq's Web UI: queues with size and latency, busy workers and
 * their jobs, scheduled and retrying jobs, dead jobs (retry, delete), cron schedules, an enqueue form;
 * and a job's own page. The figures are read once per request; the graph polls the API.
 */
@Named
@ViewScoped
public class JobsBacking implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    transient JobQueues jobs;

    private String queue = "default";
    private String type = "sleep";
    private String payload = "{\"ms\": 5000, \"steps\": 10}";
    private Integer delaySeconds;
    private String id;
    private transient List<QueueStats> queues;
    private transient List<Worker> workers;

    /** A queue's running jobs, with its limit over every node when it has one: "3 / 5". */
    public String running(QueueStats q) {
        var limit = jobs.maxRunning().get(q.queue());
        return limit == null ? String.valueOf(q.running()) : q.running() + " / " + limit;
    }

    /** A queue's rate limit over every node, "100/1s", or "–" without one. */
    public String rate(QueueStats q) {
        var rate = jobs.rates().get(q.queue());
        return rate == null ? "–" : rate.toString();
    }

    /** The queues' names, comma-separated: the dashboard follows each one's job events. */
    public String getQueueNames() {
        return String.join(",", getQueues().stream().map(QueueStats::queue).toList());
    }

    public List<QueueStats> getQueues() {
        if (queues == null) {
            queues = jobs.queues();
        }
        return queues;
    }

    public List<Worker> getWorkers() {
        if (workers == null) {
            workers = jobs.workers();
        }
        return workers;
    }

    /** Each busy worker's jobs, flattened: one row per running job. */
    public List<Busy> getBusy() {
        return getWorkers().stream().flatMap(w -> w.jobs().stream().map(j -> new Busy(w.name(), j))).toList();
    }

    public record Busy(String worker, Job job) {
    }

    public List<ListedJob> getScheduled() {
        return jobs.scheduled(0, 50);
    }

    public long getScheduledCount() {
        return jobs.scheduledCount();
    }

    public List<ListedJob> getDead() {
        return jobs.dead(0, 50);
    }

    public long getDeadCount() {
        return jobs.deadCount();
    }

    public List<CronSchedule> getCron() {
        return jobs.cron();
    }

    public String next(CronSchedule cron) {
        var next = cron.next(ZonedDateTime.now());
        return next == null ? "never" : next.toInstant().toString();
    }

    public JobQueues.Totals getTotals() {
        return jobs.totals();
    }

    public List<String> getTypes() {
        return jobs.types().stream().sorted().toList();
    }

    /** A latency for people: "–" for an empty queue, else seconds with one decimal, or minutes. */
    public String latency(QueueStats q) {
        if (q.latency() == null) {
            return "–";
        }
        var ms = q.latency().toMillis();
        return ms < 120_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : (ms / 60_000) + " min";
    }

    public void enqueue() {
        try {
            var e = jobs.enqueue(new JobRequest(queue, type, payload, delaySeconds == null ? null : Duration.ofSeconds(delaySeconds),
                    null, null, null));
            info("Enqueued job " + e.id() + " (" + e.state().wire() + ").");
        } catch (InvalidJobRequestException e) {
            error("Not enqueued: " + e.getMessage() + ".");
        }
    }

    public void retry(String job) {
        report(jobs.retryDead(job), "Job " + job + " is queued again.", "Job " + job + " is not dead (any more).");
    }

    public void delete(String job) {
        report(jobs.deleteDead(job), "Job " + job + " deleted.", "Job " + job + " is not dead (any more).");
    }

    public void runNow(String job) {
        report(jobs.runNow(job), "Job " + job + " is queued now.", "Job " + job + " is not waiting (any more).");
    }

    public void cancel(String job) {
        jobs.cancel(job).ifPresentOrElse(s -> info("Job " + job + " was " + s.wire() + (s.isFinal() ? "; nothing to cancel." : "; cancelled.")),
                () -> error("No job " + job + "."));
    }

    public void pause(String name) {
        jobs.pause(name);
        info("Queue " + name + " paused on every node.");
    }

    public void resume(String name) {
        jobs.resume(name);
        info("Queue " + name + " resumed.");
    }

    private transient Job job;

    /** The job of the job page ({@code ?id=}), or null. */
    public Job getJob() {
        if (job == null && id != null) {
            job = jobs.find(id).orElse(null);
        }
        return job;
    }

    private static void report(boolean done, String yes, String no) {
        if (done) {
            info(yes);
        } else {
            error(no);
        }
    }

    private static void info(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(text));
    }

    private static void error(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    }

    public String getQueue() {
        return queue;
    }

    public void setQueue(String queue) {
        this.queue = queue;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getPayload() {
        return payload;
    }

    public void setPayload(String payload) {
        this.payload = payload;
    }

    public Integer getDelaySeconds() {
        return delaySeconds;
    }

    public void setDelaySeconds(Integer delaySeconds) {
        this.delaySeconds = delaySeconds;
    }

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }
}
