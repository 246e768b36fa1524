package org.switchboard.ui.chat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.switchboard.chat.boundary.ChatRooms;

/** Serves {@code /chat/{room}} with the room page, {@code /chat/room.xhtml?room=...}. */
@WebFilter("/chat/*")
public class ChatPageFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var name = request.getRequestURI().substring(request.getContextPath().length() + "/chat/".length());
        if (ChatRooms.isValidRoom(name) && !name.endsWith(".xhtml")) {
            request.getRequestDispatcher("/chat/room.xhtml?room=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .forward(request, response);
            return;
        }
        chain.doFilter(request, response);
    }
}
