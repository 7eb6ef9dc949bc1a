"""The seller's settings an invoice and its e-invoice carry, checked when the app starts."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale

from werklab import numbers

PROFILES = ("nlcius", "peppol")


def seller_problems(config: Mapping) -> list[str]:
    """What is wrong with the seller settings, one sentence per setting (empty: all good)."""
    problems = []
    if config.get("EINVOICE_PROFILE") not in PROFILES:
        problems.append(f"EINVOICE_PROFILE must be one of {', '.join(PROFILES)}.")
    checks = {
        "SELLER_KVK": numbers.kvk,
        "SELLER_VAT_NUMBER": numbers.vat_number,
        "SELLER_IBAN": numbers.iban,
        "SELLER_PEPPOL_ID": numbers.peppol_id,
        "SELLER_POSTCODE": lambda value: numbers.postcode(value, config.get("SELLER_COUNTRY")),
    }
    with force_locale("en"):
        for name, check in checks.items():
            try:
                check(config.get(name) or "")
            except numbers.NumberError as exc:
                problems.append(f"{name}: {exc.message}")
    for name in ("SELLER_NAME", "SELLER_STREET", "SELLER_CITY", "SELLER_COUNTRY"):
        if not (config.get(name) or "").strip():
            problems.append(f"{name} must be set.")
    return problems
