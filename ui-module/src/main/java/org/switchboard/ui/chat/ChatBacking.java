package org.switchboard.ui.chat;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import org.switchboard.chat.boundary.ChatRooms;
import org.switchboard.chat.entity.ChatRoom;

/** The rooms, for the public room list and the admin page. */
@Named
@RequestScoped
public class ChatBacking {

    @Inject
    ChatRooms chat;

    private List<ChatRoom> rooms;

    public List<ChatRoom> getRooms() {
        if (rooms == null) {
            rooms = chat.rooms(500);
        }
        return rooms;
    }

    /** Live readers on this node. */
    public int getFollowers() {
        return chat.followers();
    }

    public boolean isValidRoom(String room) {
        return ChatRooms.isValidRoom(room);
    }
}
