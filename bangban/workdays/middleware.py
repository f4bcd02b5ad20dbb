"""One calendar check per request (see ``workdays.services.calendar_scope``)."""

from .services import calendar_scope


def calendar_scope_middleware(get_response):
    """Open a calendar scope around the view and its template, closed when the response is made.

    A streaming response's body is produced after the scope has closed; any calendar it
    asks for is checked on each call, as outside a request.
    """

    def middleware(request):
        with calendar_scope():
            return get_response(request)

    return middleware
