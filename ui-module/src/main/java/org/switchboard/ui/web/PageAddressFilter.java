package org.switchboard.ui.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import org.switchboard.chat.boundary.ChatRooms;
import org.switchboard.noticeboard.boundary.NoticeBoards;

/**
 * Serves a room's and a board's page at an address of their own, {@code /chat/{room}} and
 * {@code /boards/{board}}, with the Faces view that shows it. Any other address under those folders
 * (the views themselves, a name the module refuses) goes on unchanged.
 */
@WebFilter({"/chat/*", "/boards/*"})
public class PageAddressFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    private record Page(String folder, Predicate<String> validName, String view, String parameter) {
    }

    private static final List<Page> PAGES = List.of(
            new Page("/chat/", ChatRooms::isValidRoom, "/chat/room.xhtml", "room"),
            new Page("/boards/", NoticeBoards::isValidName, "/boards/view.xhtml", "board"));

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var path = request.getRequestURI().substring(request.getContextPath().length());
        for (var page : PAGES) {
            if (path.startsWith(page.folder())) {
                var name = path.substring(page.folder().length());
                if (page.validName().test(name) && !name.endsWith(".xhtml")) {
                    request.getRequestDispatcher(page.view() + "?" + page.parameter() + "=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                            .forward(request, response);
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }
}
