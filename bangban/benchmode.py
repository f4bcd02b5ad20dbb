"""What the scale bench turns on in its own gunicorn (``BANGBAN_BENCH_CEILING=1``), never
in production: the yardstick page and a count of each answer's queries.

``/bench/ceiling`` is the cheapest page Django can serve through the platform's own
middleware: no database, no template, no session. ``python -m bench.scale`` times it in the
same gunicorn as the real pages and reports every page as a share of it (× ceiling), so a
figure says how far a page is from the framework's limit on that machine, whatever the
machine. ``count_queries`` (first in the middleware when the switch is on) writes how many
SQL statements an answer took into its ``X-Bench-Queries`` header, for the bench's table.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

QUERIES_HEADER = "X-Bench-Queries"


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("ceiling", ceiling, name="bench-ceiling")]


def count_queries(get_response):
    def middleware(request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response

    return middleware
