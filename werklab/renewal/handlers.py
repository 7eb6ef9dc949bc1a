"""Receivers of lower areas' signals (connected by importing this module in create_app)."""

from __future__ import annotations

from werklab.groups.services import pairs_in, pairs_to_avoid
from werklab.renewal.services import renewal_into


@pairs_to_avoid.connect
def _last_years_pairs(programme, **_):
    """Next year's groups avoid who worked together last year: last year's pairs, in terms
    of the registrations the renewers have now."""
    renewal = renewal_into(programme)
    if renewal is None:
        return set()
    new_id = {
        i.registration_id: i.new_registration_id
        for i in renewal.invitations
        if i.new_registration_id is not None
    }
    pairs = set()
    for pair in pairs_in(renewal.programme_id):
        a, b = sorted(pair)
        if a in new_id and b in new_id:
            pairs.add(frozenset((new_id[a], new_id[b])))
    return pairs
