import pytest

from sputnik.core.roles import LineAccess, LineRole


def test_line_ids_by_role():
    access = LineAccess(roles={1: LineRole.READ, 2: LineRole.WRITE, 3: LineRole.MANAGE})
    assert access.line_ids(LineRole.READ) == {1, 2, 3}
    assert access.line_ids(LineRole.WRITE) == {2, 3}
    assert access.line_ids(LineRole.MANAGE) == {3}


def test_all_lines_role_covers_every_line_up_to_its_rank():
    director = LineAccess(roles={1: LineRole.MANAGE}, all_lines_role=LineRole.READ)
    assert director.line_ids(LineRole.READ) is None
    assert director.line_ids(LineRole.WRITE) == {1}
    assert director.role_on(1) == LineRole.MANAGE
    assert director.role_on(99) == LineRole.READ


def test_no_role_on_foreign_line():
    assert LineAccess(roles={1: LineRole.WRITE}).role_on(2) == ""


@pytest.mark.django_db
def test_restrict_refuses_unknown_action(admin_user):
    from sputnik.access.models import BusinessLine

    with pytest.raises(ValueError):
        BusinessLine.objects.restrict(admin_user, "steal")
