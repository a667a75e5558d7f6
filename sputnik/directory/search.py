"""Global search (DIR-4): organisations and persons by name, INN, phone or e-mail.

`search()` is the only entry point; pages, the header box and the API call it. Every
result starts from `restrict(user)`. Names are found in two steps over trigram indexes,
the one part that differs per database (ARCHITECTURE rule 6: GIN pg_trgm indexes on
PostgreSQL, FTS5 trigram tables on SQLite, created by migration directory 0002_search):

1. names containing every query word — cheap, and always ranked above typos;
2. only when those are too few: the words of the names closest to each query word are
   looked up in the much smaller list of words (`search_words`), and names containing
   them are fetched the same way. Netting typos over the names themselves made either
   database score every name sharing a trigram with the query (seconds at a million).

The candidates of either database go through the same ranking here — whole name equal,
name starting with the query, words equal, starting with or containing the query words,
then trigram similarity — so both databases answer alike."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import reduce

import phonenumbers
from django.db import connections, models
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Prefetch,
    Q,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Lower
from django.utils.translation import gettext_lazy as _
from stdnum.ru import inn as inn_number

from . import search_words
from .models import ContactKind, ContactPoint, Employment, Organization, Person

MAX_QUERY = 100
# Share of a query word's trigrams a name word must have to count as a typo of it: 0.5
# lets one typo through in words of five letters and more ("Питров" → "Петров").
SIMILARITY = 0.5
# pg_trgm's similarity (shared / united trigrams) is stricter than the share above:
# "питров"/"петров" is 0.4, "алена"/"алёна" 0.33. PostgreSQL only nets the words of the
# names, so its threshold is set low enough for everything the ranking keeps.
PG_SIMILARITY = 0.3
NEAR_WORDS = 200  # words of the names netted per query word, for the ranking to choose from
SPELLINGS = 5  # of which the closest are looked for in the names
# Shorter words keep their letters: one typo leaves a four-letter word too few trigrams
# to be told from other words ("олег"/"ольга"), and netting them on PostgreSQL is costly.
TYPO_MIN_LENGTH = 5
CANDIDATES = 5  # candidates fetched per result shown, for the ranking to choose from
PHONE_TYPED = re.compile(r"^\+?[\d\s().-]+$")
LEGAL_FORMS = {"ооо", "оао", "зао", "пао", "ао", "ип", "нко", "гуп", "муп", "llc", "ltd", "inc"}


class QueryKind(models.TextChoices):
    EMPTY = "empty", _("nothing")
    NAME = "name", _("name")
    INN = "inn", _("INN")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")


@dataclass
class SearchResults:
    """What one query found. `value` is the query as searched: INN digits, a phone in
    E.164 (or the digits of a local number), a lower-case e-mail, or the words of a name."""

    query: str
    kind: str
    value: str = ""
    organizations: list[Organization] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.organizations or self.persons)


def search(user, query: str, *, limit: int = 10) -> SearchResults:
    """Organisations and persons the user may see that match the query, best first."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    kind, value = _classify(query)
    results = SearchResults(query=query, kind=kind, value=value)
    organizations = Organization.objects.restrict(user)
    persons = Person.objects.restrict(user).prefetch_related(_current_jobs(user))
    if kind == QueryKind.INN:
        results.organizations = list(organizations.filter(inn=value)[:limit])
        phone = _phone(query)
        if not results.organizations and phone is not None:
            # Ten digits with a valid check digit may still be a phone typed without 8.
            found = _by_contact(user, organizations, persons, QueryKind.PHONE, phone, limit)
            if any(found):
                results.kind, results.value = QueryKind.PHONE, phone
                results.organizations, results.persons = found
    elif kind in (QueryKind.PHONE, QueryKind.EMAIL):
        found = _by_contact(user, organizations, persons, kind, value, limit)
        results.organizations, results.persons = found
    elif kind == QueryKind.NAME:
        words = _query_words(value)
        _prepare(connections[organizations.db])
        results.organizations = _by_name(organizations, ORGANIZATION, words, limit)
        results.persons = _by_name(persons, PERSON, words, limit)
    return results


# What the query is ------------------------------------------------------------------


def _classify(query: str) -> tuple[str, str]:
    if not query:
        return QueryKind.EMPTY, ""
    if "@" in query:
        return QueryKind.EMAIL, query.lower()
    compact = re.sub(r"\s", "", query)
    is_inn_like = compact.isdigit() and len(compact) in (10, 12)
    if is_inn_like and inn_number.is_valid(compact):
        return QueryKind.INN, compact
    phone = _phone(query)
    if phone is not None:
        return QueryKind.PHONE, phone
    if is_inn_like:
        return QueryKind.INN, compact
    return QueryKind.NAME, query


def _phone(query: str) -> str | None:
    """E.164 of a possible Russian (or +country) number; the bare digits of a local one."""
    if not PHONE_TYPED.match(query):
        return None
    try:
        number = phonenumbers.parse(query, "RU")
    except phonenumbers.NumberParseException:
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return str(number.national_number)
    return None


# Phone and e-mail -------------------------------------------------------------------


def _by_contact(user, organizations, persons, kind: str, value: str, limit: int):
    """(organisations, persons) holding this phone or e-mail, by name."""
    owns_org, owns_person = contact_owners(user, kind, value)
    return (
        list(organizations.filter(owns_org)[:limit]),
        list(persons.filter(owns_person)[:limit]),
    )


def contact_owners(user, kind: str, value: str) -> tuple[Q, Q]:
    """Conditions on organisations and on persons holding this phone or e-mail, in their
    contacts or as a work phone / e-mail of a job the user may see. For querysets already
    restricted to what the user sees: a contact, and an organisation's job, is seen with
    its owner, so only a person's job is checked here (its organisation may be hidden).
    Checking the rest again cost PostgreSQL ~5 ms of planning per query at 1M."""
    if kind == QueryKind.EMAIL:
        contact, job = Q(kind=ContactKind.EMAIL, value=value), Q(work_email=value)
    elif value.startswith("+"):
        phones = (ContactKind.PHONE, ContactKind.FAX)
        contact, job = Q(kind__in=phones, value=value), Q(work_phone=value)
    else:  # a local number typed without the area code: match the end of stored numbers
        phones = (ContactKind.PHONE, ContactKind.FAX)
        contact, job = Q(kind__in=phones, value__endswith=value), Q(work_phone__endswith=value)
    contacts = ContactPoint.objects.filter(contact).order_by()
    jobs = Employment.objects.filter(job).order_by()
    seen_jobs = Employment.objects.restrict(user).filter(job).order_by()

    def owners(column: str, jobs) -> Q:
        # One UNION subquery: OR-ed IN subqueries make PostgreSQL scan every owner row.
        return Q(pk__in=contacts.values(column).union(jobs.values(column)))

    return owners("organization_id", jobs), owners("person_id", seen_jobs)


def _current_jobs(user) -> Prefetch:
    jobs = Employment.objects.restrict(user).current().select_related("organization")
    return Prefetch("employments", queryset=jobs, to_attr="current_employments")


# Names: candidates per database ------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    table: str
    fields: tuple[str, ...]  # names the ranking compares; the first one is displayed
    indexed: tuple[str, ...]  # names the database narrows by (trigram indexes, FTS5)

    @property
    def fts_table(self) -> str:
        return f"{self.table}_search"


ORGANIZATION = _Target(
    "directory_organization", ("short_name", "full_name"), ("short_name", "full_name")
)
# Patronymics are left out of the net: "Иван" would bring every Иванович along. They
# still rank "Петров Иван Сергеевич" above the other Ivan Petrovs.
PERSON = _Target(
    "directory_person", ("last_name", "first_name", "patronymic"), ("last_name", "first_name")
)


def _by_name(queryset, target: _Target, words: list[str], limit: int) -> list:
    if not words or queryset.query.is_empty():
        return []
    rows = _candidates(queryset, target, words, limit * CANDIDATES)
    ranked = sorted((key, row[0]) for row in rows if (key := _rank(words, row[1:])) is not None)
    ids = [pk for _key, pk in ranked[:limit]]
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _candidates(queryset, target: _Target, words: list[str], cap: int) -> list[tuple]:
    """(pk, *fields) rows likely to match, roughly best first, at most about `cap`.

    Steps over the same indexes, each taken only while the rows found are too few to fill
    the results (`cap // CANDIDATES`): names containing every query word (they always rank
    first); names containing, for every query word the names know, one of the words of
    the names closest to it (typos); names containing any one of those, a share of the
    rows for each query word (a partial match still beats nothing)."""
    connection = connections[queryset.db]
    if not any(len(word) >= 3 for word in words):  # too short for trigrams
        return _by_prefix(queryset, target, words, cap)
    if connection.vendor not in ("postgresql", "sqlite"):
        return _by_prefix(queryset, target, words, cap)
    enough = cap // CANDIDATES
    exact = [[word] for word in words if len(word) >= 3]
    rows = _containing(queryset, target, exact, cap)
    if len(rows) >= enough:
        return rows
    # Words no name holds anything like are left out ("Петров Иван Сергеевич": no
    # patronymic is searched).
    spellings = [found for (word,) in exact if (found := _spellings(connection, target, word))]
    if spellings and spellings != exact:
        rows = _merged(rows, _containing(queryset, target, spellings, cap, ordered=False))
        if len(rows) >= enough:
            return rows
    if len(spellings) > 1:
        share = max(cap // len(spellings), 1)
        for found in spellings:
            rows = _merged(rows, _containing(queryset, target, [found], share, ordered=False))
    return rows


def _merged(rows: list[tuple], more: list[tuple]) -> list[tuple]:
    seen = {row[0] for row in rows}
    return rows + [row for row in more if row[0] not in seen]


def _by_prefix(queryset, target: _Target, words: list[str], cap: int) -> list[tuple]:
    """Names with a word starting with a query word (Unicode-aware on every database)."""
    condition = Q()
    for word in words:
        pattern = rf"(^|\W){re.escape(word)}"
        for name in target.indexed:
            condition |= Q(**{f"{name}__iregex": pattern})
    return list(queryset.filter(condition).values_list("pk", *target.fields)[:cap])


def _containing(queryset, target: _Target, spellings: list[list[str]], cap: int, ordered=True):
    """Names holding, for every query word, one of its spellings. Unordered, the first
    `cap` found are taken: a common surname a typo away must not cost sorting every
    person who bears it."""
    if connections[queryset.db].vendor == "postgresql":
        return _postgresql_containing(queryset, target, spellings, cap, ordered)
    return _sqlite_containing(queryset, target, spellings, cap, ordered)


def _postgresql_containing(queryset, target, spellings: list[list[str]], cap: int, ordered: bool):
    """Through the GIN trigram indexes; whole name equal to the query first, then starting
    with it, then the shortest."""
    names = [f"_lower_{name}" for name in target.indexed]
    phrase = " ".join(words[0] for words in spellings)
    condition, exact, prefix = Q(), Q(), Q()
    for name in names:
        exact |= Q(**{name: phrase})
        prefix |= Q(**{f"{name}__startswith": phrase})
    for words in spellings:
        condition &= reduce(
            operator.or_, (Q(**{f"{name}__contains": word}) for word in words for name in names)
        )
    rows = queryset.alias(
        **{name: Lower(field) for name, field in zip(names, target.indexed, strict=True)}
    ).filter(condition)
    if ordered:
        rows = rows.alias(
            _exact=ExpressionWrapper(exact, BooleanField()),
            _prefix=ExpressionWrapper(prefix, BooleanField()),
            _length=Length(target.indexed[0]),
        ).order_by("-_exact", "-_prefix", "_length", "pk")
    else:
        rows = rows.order_by()
    return list(rows.values_list("pk", *target.fields)[:cap])


def _sqlite_containing(queryset, target, spellings: list[list[str]], cap: int, ordered: bool):
    """Through the FTS5 trigram table: a phrase per spelling (е and ё alike), the closest
    first (bm25 favours short names). The access check runs per hit (correlated), not
    over every row the user may see."""
    match = " AND ".join(
        "(" + " OR ".join(f'"{spelling}"' for spelling in _yo(words)) + ")" for words in spellings
    )
    fts, table = target.fts_table, target.table
    hit = RawSQL(f"{fts}.rowid", (), output_field=models.BigIntegerField())
    visible, params = queryset.order_by().filter(pk=hit).values("pk").query.sql_with_params()
    columns = ", ".join(f"names.{name}" for name in target.fields)
    sql = (
        f"SELECT names.id, {columns} FROM {fts} JOIN {table} AS names ON names.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND EXISTS ({visible}) "
        f"{f'ORDER BY bm25({fts}) ' if ordered else ''}LIMIT %s"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [match, *params, cap])
        return cursor.fetchall()


def _yo(words: list[str]) -> list[str]:
    """The words with е and ё either way (names are spelt both ways)."""
    return sorted(
        {w for word in words for w in (word, word.replace("ё", "е"), word.replace("е", "ё"))}
    )


def _prepare(connection) -> None:
    """PostgreSQL: the similarity threshold of `word % 'query'` in the typo step."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
                [str(PG_SIMILARITY)],
            )


def _spellings(connection, target: _Target, word: str) -> list[str]:
    """Words of the names (lower case) that contain `word` or are a typo away from it,
    closest first: at most SPELLINGS of them, none when no name holds anything like it."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT word FROM {search_words.TABLE} WHERE source = %s AND "
            f"(word %% %s OR word LIKE %s) ORDER BY similarity(word, %s) DESC LIMIT %s"
        )
        params = [target.table, word, f"%{word}%", word, NEAR_WORDS]
    else:
        grams = {word[i : i + 3] for i in range(len(word) - 2)}
        match = " OR ".join(f'"{gram}"' for gram in _yo(sorted(grams)))
        sql = (
            f"SELECT w.word FROM {search_words.FTS_TABLE} AS f "
            f"JOIN {search_words.TABLE} AS w ON w.id = f.rowid "
            f"WHERE {search_words.FTS_TABLE} MATCH %s AND w.source = %s "
            f"ORDER BY bm25({search_words.FTS_TABLE}) LIMIT %s"
        )
        params = [match, target.table, NEAR_WORDS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0].lower() for row in cursor.fetchall()}
    normal = word.replace("ё", "е")
    scored = [
        (score, spelling)
        for spelling in found
        if (score := _word_score(normal, [spelling.replace("ё", "е")])) is not None
    ]
    scored.sort(key=lambda item: (item[0][0], -item[0][1], item[1]))
    return [spelling for _score, spelling in scored[:SPELLINGS]]


# Names: one ranking for every database -----------------------------------------------


def _query_words(query: str) -> list[str]:
    words = re.findall(r"\w+", query.lower())
    meaningful = [word for word in words if word not in LEGAL_FORMS]
    return meaningful or words


def _normal(text: str) -> list[str]:
    return re.findall(r"\w+", (text or "").lower().replace("ё", "е"))


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _word_score(word: str, name_words: list[str]) -> tuple[int, float] | None:
    """(tier, closeness) of the name word that best fits one query word, None if none:
    tier 0 equal, 1 the name word starts with it, 2 contains it, 3 similar (typos);
    closeness is the share of trigrams the two words have in common (shorter is closer)."""
    grams = _trigrams(word)
    best = None
    for candidate in name_words:
        other = _trigrams(candidate)
        shared = len(grams & other)
        if candidate == word:
            tier = 0
        elif candidate.startswith(word):
            tier = 1
        elif len(word) >= 3 and word in candidate:
            tier = 2
        elif len(word) >= TYPO_MIN_LENGTH and shared / len(grams) >= SIMILARITY:
            tier = 3
        else:
            continue
        score = (tier, shared / len(grams | other))
        if best is None or (score[0], -score[1]) < (best[0], -best[1]):
            best = score
    return best


def _rank(words: list[str], texts: tuple[str, ...]) -> tuple | None:
    """Sort key of a candidate (smaller is better), None when it does not match."""
    words = [word.replace("ё", "е") for word in words]
    names = [_normal(text) for text in texts if text]
    phrase = " ".join(words)
    whole = [" ".join(name) for name in names] + [" ".join(sum(names, []))]
    if phrase in whole:
        phrase_tier = 0
    elif any(name.startswith(phrase) for name in whole):
        phrase_tier = 1
    else:
        phrase_tier = 2
    scores = [s for word in words if (s := _word_score(word, sum(names, []))) is not None]
    if not scores:
        return None
    tiers = sum(tier for tier, _similarity in scores)
    similarity = sum(similarity for _tier, similarity in scores)
    return phrase_tier, -len(scores), tiers, -similarity, (texts[0] or "").lower()
