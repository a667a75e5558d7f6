"""The web process's full garbage collection runs after a response, not inside one."""

import gc
import sys

import pytest
from django.core.signals import request_finished
from django.test import Client

from sputnik.core import bulk, collection


@pytest.fixture
def scheduled():
    thresholds = gc.get_threshold()
    collection.collect_between_requests_from_now()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        request_finished.disconnect(dispatch_uid=collection.__name__)


class Cycle:
    def __init__(self):
        self.me = self


def young_collections(count: int) -> None:
    """As many collections of the middle generation as a busy request makes."""
    gc.collect()
    for _ in range(count):
        gc.collect(1)


def in_the_hook() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is collection.collect_between_requests.__code__:
            return True
        frame = frame.f_back
    return False


def test_the_full_collection_runs_once_the_response_is_sent(scheduled):
    assert gc.get_threshold()[2] == collection.IN_REQUEST_AFTER
    young_collections(collection.FULL_AFTER + 1)  # overdue by CPython's default
    garbage = Cycle()
    gc.collect(1)  # the cycle now lives in the oldest generation
    full = []
    gc.callbacks.append(
        lambda phase, info: full.append(in_the_hook()) if info["generation"] == 2 else None
    )
    try:
        del garbage
        response = Client().get("/accounts/login/")
        assert response.status_code == 200
    finally:
        gc.callbacks.pop()
    assert full and all(full)  # start and stop, both after the response
    assert gc.get_count()[2] < collection.FULL_AFTER


def test_a_long_request_still_collects_everything_itself(scheduled):
    """Ten times the usual cadence: memory stays bounded during an import."""
    stops = []
    gc.callbacks.append(lambda phase, info: stops.append(info["generation"]))
    try:
        gc.collect()
        for _ in range(collection.IN_REQUEST_AFTER + 5):
            # the middle generation's own threshold of young collections
            for _ in range(gc.get_threshold()[1] + 1):
                [Cycle() for _ in range(gc.get_threshold()[0] + 10)]
    finally:
        gc.callbacks.pop()
    assert 2 in stops


def test_a_bulk_job_in_the_web_process_keeps_its_freeze_and_full_collections(scheduled):
    """An import's preview runs in the web process: it must not thaw what the process
    froze at start, nor put off full collections tenfold."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()  # less any frozen object freed meanwhile:
        with bulk.few_collections():
            assert gc.get_threshold()[2] == collection.FULL_AFTER
            assert gc.get_freeze_count() > frozen * 0.9
        assert gc.get_freeze_count() > frozen * 0.9  # not thawed (0)
        assert gc.get_threshold()[2] == collection.IN_REQUEST_AFTER
    finally:
        gc.unfreeze()


def test_a_bulk_job_elsewhere_sets_aside_what_was_there_and_gives_it_back():
    assert gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    with bulk.few_collections():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (50_000, *thresholds[1:])
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds
