package org.switchboard.ui.web;

import jakarta.faces.FacesException;
import jakarta.faces.application.ViewExpiredException;
import jakarta.faces.context.ExceptionHandler;
import jakarta.faces.context.ExceptionHandlerFactory;
import jakarta.faces.context.ExceptionHandlerWrapper;
import jakarta.faces.context.FacesContext;

/**
 * A form posted with a view state the server no longer has (the session ended, or the state was
 * forged) is answered 400 with a page that says to reload: the container's error page would answer
 * 500 and name the exception.
 */
public class ExpiredViews extends ExceptionHandlerFactory {

    static final String PAGE = "/WEB-INF/errors/expired.xhtml";

    public ExpiredViews(ExceptionHandlerFactory wrapped) {
        super(wrapped);
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return new Handler(getWrapped().getExceptionHandler());
    }

    private static final class Handler extends ExceptionHandlerWrapper {

        Handler(ExceptionHandler wrapped) {
            super(wrapped);
        }

        @Override
        public void handle() throws FacesException {
            var events = getUnhandledExceptionQueuedEvents().iterator();
            while (events.hasNext()) {
                if (events.next().getContext().getException() instanceof ViewExpiredException) {
                    events.remove();
                    var faces = FacesContext.getCurrentInstance();
                    faces.getExternalContext().setResponseStatus(400);
                    faces.setViewRoot(faces.getApplication().getViewHandler().createView(faces, PAGE));
                    faces.renderResponse();
                }
            }
            getWrapped().handle();
        }
    }
}
