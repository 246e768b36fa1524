package org.switchboard.ui.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import org.switchboard.ui.metrics.Headlines;
import org.switchboard.ui.platform.Components;
import org.switchboard.ui.platform.Components.ComponentStatus;
import org.switchboard.ui.platform.Settings;

/** The admin dashboard: the servers, their state and where they are, and this node's headline figures. */
@Named
@RequestScoped
public class AdminBacking {

    @Inject
    Components components;

    @Inject
    Settings settings;

    @Inject
    Headlines headlines;

    private List<ComponentStatus> statuses;

    public List<ComponentStatus> getStatuses() {
        if (statuses == null) {
            statuses = components.statuses();
        }
        return statuses;
    }

    public List<Headlines.Figure> getFigures() {
        return headlines.figures();
    }

    public Settings getSettings() {
        return settings;
    }
}
