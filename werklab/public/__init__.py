"""The public site: the catalogue and the registration pages (form, manage link, cancel,
offer, transfer) that anyone reaches without an account.

These pages gather several areas (programmes, seats, payments, invoices, site-visit routes),
so they sit in the pages layer above those areas; their blueprints keep the names `catalog`
and `registration`, and their templates stay in templates/catalog/ and templates/registration/.
"""
