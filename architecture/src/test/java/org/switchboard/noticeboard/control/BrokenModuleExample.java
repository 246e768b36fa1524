package org.switchboard.noticeboard.control;

import org.switchboard.chat.entity.ChatMessage;

/** Breaks the independence of the pattern modules on purpose: the notice boards reading a chat message. */
public class BrokenModuleExample {

    public String text(ChatMessage message) {
        return message.text();
    }
}
