"""Template context every page needs from the core: hashes of the vendored assets."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def vendor_integrity() -> dict[str, str]:
    path = Path(settings.BASE_DIR) / "sputnik" / "static" / "vendor" / "integrity.json"
    return json.loads(path.read_text())


def assets(request):
    return {"sri": vendor_integrity()}
