package org.switchboard.ui.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import org.switchboard.jobs.entity.JobProgress;
import org.switchboard.noticeboard.boundary.NoticeBoards;

/** Posts each job's progress to the notice board {@code job-{id}}, where /boards/job-{id} shows it live. */
@ApplicationScoped
public class JobProgressBoards {

    private static final JsonProvider JSON = JsonProvider.provider();
    private static final System.Logger LOG = System.getLogger(JobProgressBoards.class.getName());

    @Inject
    NoticeBoards boards;

    void post(@Observes JobProgress progress) {
        var value = JSON.createObjectBuilder().add("percent", progress.percent()).add("job", progress.jobId())
                .add("type", progress.type());
        if (progress.message() != null) {
            value.add("message", progress.message());
        }
        try {
            boards.post("job-" + progress.jobId(), value.build().toString());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "Progress of job " + progress.jobId() + " not posted to its board", e);
        }
    }
}
