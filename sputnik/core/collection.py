"""When the web process collects its reference cycles.

CPython collects the young generations as objects are made (cheap: a few ms a
request) and, after every ten of those, all of memory. In a web process that full
collection takes 60–130 ms, and it ran inside whichever request happened to be
running: one request in a dozen or so paid for it (docs/performance.md). Here it runs
between requests instead, right after a response has been sent, at the same cadence.
A very long request still collects everything itself once it has made ten times as
much garbage, and a bulk job (an import's preview) at the usual cadence
(`core.bulk.few_collections`), so memory stays bounded. For a server that runs one
request at a time per process (gunicorn's sync workers, as deployed); under threads,
"between requests" is only between this thread's.
"""

import gc

from django.core.signals import request_finished

FULL_AFTER = 10  # young collections between two full ones: CPython's own default
IN_REQUEST_AFTER = 10 * FULL_AFTER


def collect_between_requests(**kwargs) -> None:
    """After a response: the full collection CPython would have run by now."""
    if gc.isenabled() and gc.get_count()[2] >= FULL_AFTER:
        gc.collect()


def collect_between_requests_from_now() -> None:
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, IN_REQUEST_AFTER)
    request_finished.connect(collect_between_requests, dispatch_uid=__name__)
