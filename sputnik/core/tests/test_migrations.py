"""The migrations describe the models: an index or field declared on a model without its
migration would exist in tests' databases built from the models, but never in production."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:
        pytest.fail(f"models changed without a migration ({missing.code}):\n{out.getvalue()}")
