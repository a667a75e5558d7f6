"""Vendored front-end files are exactly the pinned releases recorded in integrity.json."""

import base64
import hashlib
import json
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static"
RECORDED = json.loads((STATIC / "vendor" / "integrity.json").read_text())


@pytest.mark.parametrize("path", sorted(RECORDED))
def test_vendored_file_matches_its_recorded_hash(path):
    digest = hashlib.sha384((STATIC / path).read_bytes()).digest()
    assert RECORDED[path] == "sha384-" + base64.b64encode(digest).decode()


def test_every_vendored_file_is_recorded():
    files = {
        str(p.relative_to(STATIC))
        for p in (STATIC / "vendor").rglob("*")
        if p.is_file() and p.suffix in {".js", ".css", ".woff", ".woff2"}
    }
    assert files == set(RECORDED)
