"""Fill Dutch translations into the catalogue from a small table (a maintenance helper).

Usage: .venv/bin/python scripts/translate.py FILE.tsv   (lines: English<TAB>Dutch)
For an ngettext message: English singular<TAB>Dutch singular<TAB>Dutch plural.
Prints the msgids that are still untranslated.
"""

import sys

from babel.messages.pofile import read_po, write_po

PO = "werklab/translations/nl/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "\t" in line:
                en, nl = line.rstrip("\n").split("\t", 1)
                table[en] = nl
    with open(PO, "rb") as f:
        catalog = read_po(f, locale="nl")
    for message in catalog:
        plural = isinstance(message.id, tuple)
        key = message.id[0] if plural else message.id
        if key and key in table:
            message.string = tuple(table[key].split("\t")) if plural else table[key]
            message.flags.discard("fuzzy")
    with open(PO, "wb") as f:
        write_po(f, catalog, width=76)
    for message in catalog:
        if message.id and not (
            all(message.string) if isinstance(message.id, tuple) else message.string
        ):
            print("untranslated:", repr(message.id))


if __name__ == "__main__":
    main(sys.argv[1])
