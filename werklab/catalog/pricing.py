"""One price rule for a seat, whichever way it is paid.

Fees are stored excluding VAT. Whoever pays, online (Stripe Checkout) or by invoice, pays the
same total: the fee plus the VAT on it, rounded half up per line exactly as the invoice line
is. The programme page, the registration form, the Checkout line, the manage page and every
document all take their figures from `seat_price()`, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from werklab.catalog.models import Programme


def vat_of(amount_cents: int, rate_bp: int) -> int:
    """VAT on one line in cents, rounded half up (away from zero for negative amounts)."""
    exact = Decimal(amount_cents) * rate_bp / Decimal(10000)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Price:
    """An amount excluding VAT, the VAT rate (basis points), the VAT and the total."""

    excl_cents: int
    vat_rate_bp: int
    vat_cents: int
    incl_cents: int

    @classmethod
    def of(cls, excl_cents: int, vat_rate_bp: int) -> Price:
        vat = vat_of(excl_cents, vat_rate_bp)
        return cls(excl_cents, vat_rate_bp, vat, excl_cents + vat)

    @property
    def has_vat(self) -> bool:
        return self.vat_rate_bp > 0


def seat_price(programme: Programme) -> Price | None:
    """What one seat costs (per participant per year), or None when there is no fee."""
    if programme.fee_cents is None:
        return None
    return Price.of(programme.fee_cents, programme.vat_rate_bp)
