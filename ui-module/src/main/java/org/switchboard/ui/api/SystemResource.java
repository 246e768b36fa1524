package org.switchboard.ui.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.switchboard.chat.boundary.ChatRooms;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.ui.platform.Components;
import org.switchboard.ui.platform.Components.ComponentStatus;
import org.switchboard.ui.platform.Settings;

/** What this node runs on, for operators: the servers, their state and where they are (no secrets). */
@Path("system")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@SecurityRequirement(name = ApiApplication.BASIC)
public class SystemResource {

    @Inject
    Components components;

    @Inject
    Settings settings;

    @Inject
    NoticeBoards boards;

    @Inject
    ChatRooms chat;

    /**
     * @param boardWatchers the notice-board watchers waiting on this node
     * @param chatReaders the live chat readers this node serves
     */
    public record SystemInfo(String dataDir, String redis, String couchdb, String database, List<ComponentStatus> components,
                             int boardWatchers, int chatReaders) {
    }

    @GET
    @Operation(summary = "The servers this node uses and whether each is up")
    public SystemInfo get() {
        return new SystemInfo(settings.dataDir().toString(), settings.redisRedacted(), settings.couchDbRedacted(),
                settings.databaseRedacted(), components.statuses(), boards.watching(), chat.followers());
    }
}
