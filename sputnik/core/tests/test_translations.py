"""Both catalogues are complete: every translatable string of the code is in them, and
every Russian entry is translated. Catalogues are extracted from a copy of the code so
the test never touches the working tree."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "sputnik" / "locale"


def entries(po: Path) -> dict[str, list[str]]:
    """msgid → msgstr values (plural forms included), header excluded."""
    result, msgid, strings, key = {}, None, [], None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgid_plural ")):
            key = "id"
            if line.startswith("msgid "):
                if msgid:
                    result[msgid] = strings
                msgid, strings = "", []
            msgid += _literal(line) if line.startswith("msgid ") else ""
        elif line.startswith("msgstr"):
            key = "str"
            strings.append(_literal(line))
        elif line.startswith('"'):
            if key == "id":
                msgid += _literal(line)
            elif key == "str":
                strings[-1] += _literal(line)
        elif line.startswith("#~"):
            key = None
    if msgid:
        result[msgid] = strings
    return result


def _literal(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    copy = tmp_path_factory.mktemp("messages")
    shutil.copytree(
        ROOT / "sputnik",
        copy / "sputnik",
        ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"),
    )
    shutil.copy(ROOT / "manage.py", copy)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
    )
    return set(entries(copy / "sputnik" / "locale" / "ru" / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["ru", "en"])
def test_catalogue_has_every_string(extracted, language):
    catalogue = entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    missing = sorted(extracted - set(catalogue))
    assert not missing, f"{language}: run makemessages and translate: {missing[:10]}"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_entry_is_translated_and_not_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    empty = [msgid for msgid, strings in entries(po).items() if msgid and not all(strings)]
    assert not empty, f"{language}: untranslated {empty[:10]}"
    body = po.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert "#, fuzzy" not in body
