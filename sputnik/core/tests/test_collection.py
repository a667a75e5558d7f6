"""The web process's full garbage collection runs after a response, not inside one."""

import gc
import sys

import pytest
from django.core.signals import request_finished
from django.test import Client

from sputnik.core import collection


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
