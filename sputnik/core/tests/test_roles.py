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


@pytest.mark.django_db
def test_a_users_rows_are_built_once_then_again_after_their_access_changed(
    make_user, admin_user, line_a, line_b, monkeypatch
):
    from sputnik.access import services
    from sputnik.directory.models import Organization
    from sputnik.directory.tests.factories import OrganizationFactory

    ours = OrganizationFactory(business_lines=[line_a])
    theirs = OrganizationFactory(business_lines=[line_b])
    user = make_user(lines={line_a: LineRole.WRITE})
    built = []
    condition = Organization.access_condition.__func__

    def spy(cls, *args):
        built.append(args[1:])
        return condition(cls, *args)

    monkeypatch.setattr(Organization, "access_condition", classmethod(spy))

    assert list(Organization.objects.restrict(user)) == [ours]
    assert not Organization.objects.restrict(user).filter(pk=theirs.pk).exists()
    assert list(Organization.objects.restrict(user, "change")) == [ours]
    assert built == [("view",), ("change",)]  # each action's rows built once

    services.membership_set(actor=admin_user, line=line_b, user=user, role=LineRole.READ)
    assert set(Organization.objects.restrict(user)) == {ours, theirs}
    assert list(Organization.objects.restrict(user, "change")) == [ours]
    assert built[2:] == [("view",), ("change",)]


@pytest.mark.django_db
def test_each_caller_gets_rows_of_its_own_and_a_records_related_rows_are_its_own(make_user, line_a):
    from sputnik.directory import services
    from sputnik.directory.models import Organization
    from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory

    user = make_user(lines={line_a: LineRole.WRITE})
    first = OrganizationFactory(business_lines=[line_a])
    assert list(Organization.objects.restrict(user)) == [first]  # read, results kept
    second = OrganizationFactory(business_lines=[line_a])
    assert set(Organization.objects.restrict(user)) == {first, second}

    for organization, name in ((first, "Первый"), (second, "Второй")):
        person = PersonFactory(business_lines=[line_a], last_name=name)
        services.employment_create(actor=None, person=person, organization=organization)
    assert [job.person.last_name for job in first.employments.restrict(user)] == ["Первый"]
    assert [job.person.last_name for job in second.employments.restrict(user)] == ["Второй"]
