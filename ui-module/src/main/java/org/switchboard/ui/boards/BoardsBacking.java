package org.switchboard.ui.boards;

import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.noticeboard.entity.BoardSummary;

/** The admin page of the notice boards: the list with a delete button each, and a form to post a value. */
@Named
@ViewScoped
public class BoardsBacking implements Serializable {

    private static final long serialVersionUID = 1L;

    @Inject
    transient NoticeBoards boards;

    private String board;
    private String value;

    public List<BoardSummary> getBoards() {
        return boards.list(500);
    }

    public int getWatching() {
        return boards.watching();
    }

    public void post() {
        var faces = FacesContext.getCurrentInstance();
        try {
            var posted = boards.post(board, value);
            faces.addMessage(null, new FacesMessage("Posted revision " + posted.revision() + " to " + posted.name() + "."));
        } catch (InvalidBoardRequestException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Not posted: " + e.getMessage() + ".", null));
        }
    }

    /** Deletes a board: its watchers are answered at once. */
    public void delete(String name) {
        var faces = FacesContext.getCurrentInstance();
        try {
            faces.addMessage(null, boards.delete(name) ? new FacesMessage("Deleted board " + name + ".")
                    : new FacesMessage(FacesMessage.SEVERITY_WARN, "Board " + name + " was already gone.", null));
        } catch (InvalidBoardRequestException e) {
            faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, "Not deleted: " + e.getMessage() + ".", null));
        }
    }

    public String getBoard() {
        return board;
    }

    public void setBoard(String board) {
        this.board = board;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
