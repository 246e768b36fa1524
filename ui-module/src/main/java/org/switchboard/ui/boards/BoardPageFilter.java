package org.switchboard.ui.boards;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.switchboard.noticeboard.boundary.NoticeBoards;

/** Serves {@code /boards/{board}} with the board page, {@code /boards/view.xhtml?board=...}. */
@WebFilter("/boards/*")
public class BoardPageFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var name = request.getRequestURI().substring(request.getContextPath().length() + "/boards/".length());
        if (NoticeBoards.isValidName(name) && !name.endsWith(".xhtml")) {
            request.getRequestDispatcher("/boards/view.xhtml?board=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .forward(request, response);
            return;
        }
        chain.doFilter(request, response);
    }
}
