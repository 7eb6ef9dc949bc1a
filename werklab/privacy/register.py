"""The one declaration of the personal data werklab stores: what it is, why, on which legal
basis (AVG article 6), for how long, who receives it, and what the retention job does with
it. The processing register page (art. 30 AVG) is generated from it and the retention job
(`retention.py`) runs the steps it names, so the two cannot drift apart.

Every column of every table is classified: part of an item below (personal), or listed in
NOT_PERSONAL. tests/privacy/test_register.py fails on a column that is neither, so a new
model cannot be added without deciding this.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from werklab.translation import lazy_gettext as _l


class Basis(enum.Enum):
    """The legal ground of AVG article 6(1)."""

    CONSENT = "a"
    CONTRACT = "b"
    LEGAL_OBLIGATION = "c"
    LEGITIMATE_INTEREST = "f"


BASIS_LABELS = {
    Basis.CONSENT: _l("Consent (GDPR article 6(1)(a))"),
    Basis.CONTRACT: _l("Performance of the agreement (GDPR article 6(1)(b))"),
    Basis.LEGAL_OBLIGATION: _l("Legal obligation (GDPR article 6(1)(c))"),
    Basis.LEGITIMATE_INTEREST: _l("Legitimate interest (GDPR article 6(1)(f))"),
}


class Recipient(enum.Enum):
    STRIPE = "stripe"
    MAIL = "mail"


RECIPIENT_LABELS = {
    Recipient.STRIPE: _l("Stripe (online payments)"),
    Recipient.MAIL: _l("The mail provider (SMTP)"),
}


class Rule(enum.Enum):
    """How long an item is kept."""

    AFTER_PROGRAMME = "after_programme"
    LAST_SESSION = "last_session"
    FISCAL = "fiscal"
    ACCOUNT = "account"
    ON_REQUEST = "on_request"
    INTAKE = "intake"
    STAFF = "staff"
    DIRECTORY = "directory"
    WINDOW = "window"


#: "%(months)d" is RETENTION_MONTHS.
RULE_LABELS = {
    Rule.AFTER_PROGRAMME: _l("%(months)d months after the programme's last session"),
    Rule.LAST_SESSION: _l("Until the programme's last session is over"),
    Rule.FISCAL: _l("Seven years after the end of the year of the invoice (Dutch tax law)"),
    Rule.ACCOUNT: _l(
        "Participants: until none of their registrations is kept any longer "
        "(%(months)d months after their last programme); staff: until a coordinator "
        "removes the account"
    ),
    Rule.ON_REQUEST: _l("Until the person has their data erased"),
    Rule.INTAKE: _l(
        "%(months)d months after the werklab's last session, or after the request was "
        "declined or expired"
    ),
    Rule.STAFF: _l("As long as the trainer or coordinator works with werklab"),
    Rule.DIRECTORY: _l("As long as the initiative is in the directory"),
    Rule.WINDOW: _l("Until the counting window is over (minutes)"),
}


def rule_text(rule: Rule, months: int) -> str:
    """How long, in the interface language, with the configured number of months."""
    text = str(RULE_LABELS[rule])
    return text % {"months": months} if "%(months)d" in text else text


class Step(enum.Enum):
    """What happens to an item when its time is up. The retention job runs the steps in
    RETENTION_STEPS (werklab/privacy/retention.py has one function for each)."""

    DELETE_HAND_INS = "hand_ins_deleted"
    ERASE_EVALUATION_TEXT = "evaluation_answers_erased"
    DELETE_MESSAGES = "messages_deleted"
    ANONYMISE_REGISTRATIONS = "registrations_anonymised"
    DELETE_ACCOUNTS = "accounts_deleted"
    ERASE_INTAKE_CONTACT = "intake_contacts_erased"
    FISCAL = "invoices_anonymised"
    VIA_REGISTRATION = "via_registration"
    DIETARY = "dietary"
    WINDOW = "window"
    KEPT = "kept"


#: The steps the retention job performs, in the order it performs them for a programme.
RETENTION_STEPS = (
    Step.DELETE_HAND_INS,
    Step.ERASE_EVALUATION_TEXT,
    Step.DELETE_MESSAGES,
    Step.ANONYMISE_REGISTRATIONS,
    Step.DELETE_ACCOUNTS,
    Step.ERASE_INTAKE_CONTACT,
)
#: Steps the job performs on old records, whatever programme they belong to.
GLOBAL_STEPS = (Step.ERASE_INTAKE_CONTACT, Step.FISCAL)

STEP_LABELS = {
    Step.DELETE_HAND_INS: _l("Deleted, with their files"),
    Step.ERASE_EVALUATION_TEXT: _l(
        "Written answers deleted and named answers made anonymous; ratings and choices "
        "stay as totals"
    ),
    Step.DELETE_MESSAGES: _l("Deleted"),
    Step.ANONYMISE_REGISTRATIONS: _l(
        "Wiped; the notes are deleted, the details in the history emptied, and the link to "
        "the registration stops working"
    ),
    Step.DELETE_ACCOUNTS: _l(
        "The account, its sign-in links and calendar address, and the mails to the address "
        "are deleted, unless another registration of the person is still kept"
    ),
    Step.ERASE_INTAKE_CONTACT: _l("Wiped"),
    Step.FISCAL: _l(
        "The buyer's details and the participant's name are wiped from the document and the "
        "billing details deleted; number, dates and amounts stay"
    ),
    Step.VIA_REGISTRATION: _l("Kept; refers to nobody once the registration is anonymised"),
    Step.DIETARY: _l("Deleted by the daily jobs"),
    Step.WINDOW: _l("Deleted by the daily jobs"),
    Step.KEPT: _l("Not erased automatically: deleted on request or by a coordinator"),
}


@dataclass(frozen=True)
class Item:
    """One kind of personal data: the columns ("table.column") that hold it and the answers
    the processing register gives about it."""

    key: str
    columns: tuple[str, ...]
    what: object  # lazy strings: English msgid, Dutch in the catalogue
    purpose: object
    basis: Basis
    rule: Rule
    step: Step
    recipients: tuple[Recipient, ...] = ()
    #: Who the data is about.
    subjects: object = _l("Participants")

    @property
    def tables(self) -> list[str]:
        return sorted({c.split(".", 1)[0] for c in self.columns})


PARTICIPANTS = _l("Participants")
STAFF = _l("Trainers and coordinators")
CONTACTS = _l("Contacts at municipalities and employers")
HOSTS = _l("Contacts at resident initiatives")
EVERYONE = _l("Everyone who signs in or registers")

ITEMS: tuple[Item, ...] = (
    Item(
        "registration_contact",
        (
            "registrations.first_name",
            "registrations.last_name",
            "registrations.email",
            "registrations.email_normalized",
            "registrations.organisation",
            "registrations.job_title",
            "registrations.manage_key",
            "registrations.checkout_session_id",
        ),
        _l("Name, e-mail address, organisation and job title given at registration"),
        _l("Carry out the registration and the programme, and write to the participant"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.ANONYMISE_REGISTRATIONS,
        (Recipient.MAIL, Recipient.STRIPE),
    ),
    Item(
        "learning_question",
        ("registrations.learning_question",),
        _l("The learning question given at registration"),
        _l("Set the programme together with its participants"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.ANONYMISE_REGISTRATIONS,
    ),
    Item(
        "dietary_wishes",
        ("registrations.dietary_wishes",),
        _l("Dietary wishes (may say something about health or beliefs)"),
        _l("Catering that fits"),
        Basis.CONSENT,
        Rule.LAST_SESSION,
        Step.DIETARY,
    ),
    Item(
        "registration_record",
        (
            "registrations.status",
            "registrations.sector",
            "registrations.locale",
            "registrations.privacy_consent_at",
            "registrations.share_email_at",
            "registrations.payment_method",
            "registrations.waitlist_seq",
            "registrations.offer_expires_at",
            "registrations.hold_expires_at",
            "registrations.created_at",
            "registrations.confirmed_at",
            "registrations.cancelled_at",
            "registrations.erased_at",
        ),
        _l("That a seat was taken or waited for: sector, status, language, consents, dates"),
        _l("Seats and the waiting list; the programme's numbers; proof of consent"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.VIA_REGISTRATION,
    ),
    Item(
        "trainer_notes",
        (
            "trainer_notes.body",
            "trainer_notes.author_id",
            "trainer_notes.created_at",
            "followup_contacts.body",
            "followup_contacts.quieted",
            "followup_contacts.author_id",
            "followup_contacts.created_at",
        ),
        _l("Trainers' notes about a participant, and notes that they got in touch"),
        _l("Guide the participant and follow up who slips away"),
        Basis.LEGITIMATE_INTEREST,
        Rule.AFTER_PROGRAMME,
        Step.ANONYMISE_REGISTRATIONS,
    ),
    Item(
        "participation",
        (
            "attendance_records.status",
            "attendance_records.recorded_by_id",
            "attendance_records.recorded_at",
            "homework_group_members.group_id",
            "homework_group_members.round",
            "site_visit_participants.visit_id",
            "evaluation_invitations.key",
            "evaluation_invitations.sent_at",
            "evaluation_invitations.reminded_at",
            "evaluation_invitations.answered_at",
            "message_recipients.mail_id",
            "payments.amount_cents",
            "payments.checkout_session_id",
            "payments.payment_intent_id",
            "payments.paid_at",
            "payments.refunded_at",
            "payment_refunds.amount_cents",
            "payment_refunds.stripe_refund_id",
            "followup_digests.signal_keys",
            "reminder_opt_outs.created_at",
            "session_reminders.starts_at",
            "session_reminders.sent_at",
            "renewal_invitations.token",
            "renewal_invitations.status",
            "renewal_invitations.answered_at",
        ),
        _l(
            "Attendance, homework groups, site visits, who was invited to an evaluation, "
            "who received a message or a reminder (or switched reminders off), the invitation "
            "to renew into next year, online payments and refunds"
        ),
        _l("Run the programme, issue certificates, and account for payments"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.VIA_REGISTRATION,
        (Recipient.STRIPE,),
    ),
    Item(
        "hand_ins",
        (
            "assignment_submissions.text",
            "assignment_submissions.submitted_by_id",
            "assignment_submissions.feedback",
            "assignment_submissions.feedback_by_id",
            "assignment_submission_files.original_name",
            "assignment_submission_files.stored_name",
            "stored_files.data",
        ),
        _l("Hand-ins of homework groups, their files, and the trainers' feedback"),
        _l("Work on the assignments and give feedback"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.DELETE_HAND_INS,
    ),
    Item(
        "evaluation_answers",
        (
            "evaluation_answers.text",
            "evaluation_answers.scale",
            "evaluation_answers.choices",
            "evaluation_responses.respondent",
            "evaluation_responses.registration_id",
        ),
        _l("Answers to interim evaluations (anonymous unless the trainer said otherwise)"),
        _l("Improve the programme while it runs"),
        Basis.LEGITIMATE_INTEREST,
        Rule.AFTER_PROGRAMME,
        Step.ERASE_EVALUATION_TEXT,
    ),
    Item(
        "messages",
        (
            "messages.subject",
            "messages.body",
            "messages.author_id",
            "messages.author_name",
            "messages.author_email",
        ),
        _l("Messages from trainers and coordinators to a programme's people"),
        _l("Keep participants informed"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.DELETE_MESSAGES,
        (Recipient.MAIL,),
    ),
    Item(
        "account",
        (
            "users.email",
            "users.name",
            "users.password_hash",
            "users.is_coordinator",
            "users.is_trainer",
            "users.active",
            "users.created_at",
            "users.last_login_at",
            "login_links.user_id",
            "login_links.token_hash",
            "login_links.created_at",
            "login_links.used_at",
            "login_links.next_path",
            "calendar_feeds.user_id",
            "calendar_feeds.token",
            "calendar_feeds.created_at",
            "trainer_feeds.user_id",
            "trainer_feeds.token",
            "trainer_feeds.created_at",
        ),
        _l("Accounts: e-mail address, name, password (hashed), sign-ins, calendar address"),
        _l("Sign in to see one's programmes, and to do one's work as staff"),
        Basis.CONTRACT,
        Rule.ACCOUNT,
        Step.DELETE_ACCOUNTS,
        (Recipient.MAIL,),
        EVERYONE,
    ),
    Item(
        "mails",
        (
            "mail_outbox.to_addr",
            "mail_outbox.to_name",
            "mail_outbox.subject",
            "mail_outbox.body_text",
            "mail_outbox.body_html",
            "mail_outbox.render",
            "mail_outbox.attachments",
            "mail_outbox.reply_to",
            "mail_outbox.last_error",
        ),
        _l("The mails werklab sent, with their attachments"),
        _l("Deliver the mails, retry when delivery fails, and show what was sent"),
        Basis.CONTRACT,
        Rule.ACCOUNT,
        Step.DELETE_ACCOUNTS,
        (Recipient.MAIL,),
        EVERYONE,
    ),
    Item(
        "history",
        ("audit_log.actor", "audit_log.data"),
        _l("The history of changes: who did what, and when"),
        _l("Accountability, and answering questions about what happened"),
        Basis.LEGITIMATE_INTEREST,
        Rule.AFTER_PROGRAMME,
        Step.ANONYMISE_REGISTRATIONS,
        (),
        EVERYONE,
    ),
    Item(
        "certificates",
        (
            "certificates.name",
            "certificates.organisation",
            "certificates.sessions",
            "certificates.trainers",
            "certificates.code",
            "certificates.issued_at",
            "certificates.revoked_at",
            "certificates.revoked_by_id",
        ),
        _l("Certificates: name, organisation, the sessions attended, the verification code"),
        _l("Show that someone took part; let anyone check a certificate on the public page"),
        Basis.LEGITIMATE_INTEREST,
        Rule.ON_REQUEST,
        Step.KEPT,
    ),
    Item(
        "billing",
        (
            "registration_billing.organisation",
            "registration_billing.address",
            "registration_billing.email",
            "registration_billing.reference",
            "registration_billing.order_number",
            "registration_billing.vat_number",
            "registration_billing.street",
            "registration_billing.postcode",
            "registration_billing.city",
            "registration_billing.country",
            "registration_billing.legal_scheme",
            "registration_billing.legal_id",
            "registration_billing.peppol_id",
            "registration_billing.e_invoice",
            "invoices.buyer_organisation",
            "invoices.buyer_address",
            "invoices.buyer_email",
            "invoices.buyer_reference",
            "invoices.buyer_order_number",
            "invoices.buyer_vat_number",
            "invoices.buyer_street",
            "invoices.buyer_postcode",
            "invoices.buyer_city",
            "invoices.buyer_country",
            "invoices.buyer_legal_scheme",
            "invoices.buyer_legal_id",
            "invoices.buyer_peppol_id",
            "invoices.participant_name",
            "quotes.answered_name",
            "quotes.answered_role",
            "quotes.billing_address",
            "quotes.billing_email",
            "quotes.billing_street",
            "quotes.billing_postcode",
            "quotes.billing_city",
            "quotes.purchase_reference",
            "quotes.buyer_reference",
        ),
        _l(
            "Billing details, invoices and credit notes (the employer's details and the "
            "participant's name), and who accepted a quote"
        ),
        _l("Invoicing, and keeping the books as tax law requires"),
        Basis.LEGAL_OBLIGATION,
        Rule.FISCAL,
        Step.FISCAL,
        (Recipient.MAIL,),
        CONTACTS,
    ),
    Item(
        "intake_contact",
        (
            "booking_requests.contact_name",
            "booking_requests.contact_role",
            "booking_requests.contact_email",
            "booking_requests.contact_phone",
            "booking_requests.notes",
            "municipality_contacts.user_id",
        ),
        _l("The municipality's contact for a werklab: name, role, e-mail, phone, intake notes"),
        _l("Prepare the werklab with the municipality and make the quote"),
        Basis.CONTRACT,
        Rule.INTAKE,
        Step.ERASE_INTAKE_CONTACT,
        (Recipient.MAIL,),
        CONTACTS,
    ),
    Item(
        "staff",
        ("programme_trainers.user_id", "followup_digests.trainer_id", "renewals.opened_by"),
        _l("Which trainers run which programme, and their weekly digests"),
        _l("Plan the programmes and tell trainers who needs attention"),
        Basis.CONTRACT,
        Rule.STAFF,
        Step.KEPT,
        (Recipient.MAIL,),
        STAFF,
    ),
    Item(
        "initiatives",
        (
            "initiatives.contact_name",
            "initiatives.contact_email",
            "initiatives.address",
            "site_visits.host_info",
            "site_visits.feedback",
        ),
        _l("Contacts of resident initiatives, what hosts wrote about a visit"),
        _l("Arrange site visits with the initiatives that agreed to it"),
        Basis.CONSENT,
        Rule.DIRECTORY,
        Step.KEPT,
        (Recipient.MAIL,),
        HOSTS,
    ),
    Item(
        "host_offers",
        (
            "hosting_offers.organisation",
            "hosting_offers.address",
            "hosting_offers.capacity",
            "hosting_offers.notes",
            "hosting_offers.preferred_period",
            "hosting_offers.accepted_by_id",
            "hosting_questions.body",
            "hosting_questions.share_contact",
        ),
        _l(
            "Offers to host a meeting (organisation, address, room, practical notes) and the "
            "practical questions sent to a host"
        ),
        _l("Let the group meet at its participants' places, and let hosts prepare"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.ANONYMISE_REGISTRATIONS,
        (Recipient.MAIL,),
    ),
    Item(
        "themes",
        ("themes.title", "themes.description", "theme_votes.created_at"),
        _l("Themes proposed for the meetings, and who voted for which"),
        _l("Set the programme together with its participants"),
        Basis.CONTRACT,
        Rule.AFTER_PROGRAMME,
        Step.VIA_REGISTRATION,
    ),
    Item(
        "sign_in_counts",
        ("rate_limit_counters.key", "rate_limit_counters.hits"),
        _l("Counts of sign-in attempts, under an unreadable code of the e-mail or IP address"),
        _l("Protect accounts against guessing"),
        Basis.LEGITIMATE_INTEREST,
        Rule.WINDOW,
        Step.WINDOW,
        (),
        EVERYONE,
    ),
)

#: Columns that hold no personal data, per table: keys, references to rows that the items
#: above cover, the programme and its organisation, and technical state.
NOT_PERSONAL: dict[str, str] = {
    "programmes": "id kind title slug description region fee_cents min_participants "
    "max_participants registration_deadline decision_date vat_rate_bp cancellation_deadline "
    "go_decision go_decided_at decision_mailed_at status visibility invitation_token "
    "created_at updated_at completed_at",
    "programme_sessions": "id programme_id position theme starts_at ends_at location_name "
    "location_address kind description sequence",
    "programme_trainers": "programme_id",
    "programme_email_domains": "programme_id domain",
    "programme_retention": "programme_id applied_at counts",
    "registrations": "id programme_id",
    "users": "id session_epoch",
    "login_links": "id expires_at",
    "calendar_feeds": "id",
    "attendance_records": "id session_id registration_id",
    "homework_groups": "id programme_id round name locked created_at",
    "homework_group_members": "id registration_id",
    "assignments": "id programme_id session_id title description due_at created_at updated_at",
    "assignment_submissions": "id assignment_id group_id version created_at feedback_at",
    "assignment_submission_files": "id submission_id content_type size",
    "assignment_reminders": "id assignment_id group_id sent_at",
    "stored_files": "key content_type size created_at",
    "certificate_rules": "programme_id kind minimum_sessions minimum_percent updated_at",
    "certificates": "id registration_id programme_id programme_title",
    "questionnaires": "id programme_id title purpose template created_at",
    "evaluation_questions": "id questionnaire_id position kind text required low_label "
    "high_label options",
    "evaluations": "id session_id questionnaire_id enabled anonymous open_days sent_at "
    "closes_at created_at",
    "evaluation_invitations": "id evaluation_id registration_id",
    "evaluation_responses": "id evaluation_id",
    "evaluation_answers": "id response_id question_id",
    "followup_contacts": "id registration_id",
    "followup_digests": "id week_start checked_at mailed",
    "trainer_notes": "id registration_id",
    "messages": "id programme_id audience group_name created_at",
    "message_recipients": "id message_id registration_id",
    "mail_outbox": "id created_at locale kind status attempts next_attempt_at claimed_at sent_at",
    "audit_log": "id created_at action object_type object_id",
    "registration_billing": "id registration_id created_at updated_at",
    "invoice_counters": "year last_number",
    "invoices": "id kind number year registration_id credits_id status issue_date due_date "
    "locale seller_name seller_address seller_email seller_kvk seller_vat_number seller_iban "
    "seller_street seller_postcode seller_city seller_country seller_peppol_id sent_as_ubl "
    "programme_title vat_exempt_note total_excl_cents vat_cents total_incl_cents reason "
    "paid_on paid_at credited_at created_at",
    "invoice_lines": "id invoice_id position description quantity unit_price_cents "
    "vat_rate_bp amount_excl_cents vat_cents",
    "payments": "id registration_id currency status seated",
    "payment_refunds": "id payment_id reason status idempotency_key created_at attempts "
    "next_attempt_at last_error completed_at",
    "stripe_events": "id event_id type object_id received_at",
    "booking_requests": "id status municipality expected_participants policy_areas "
    "policy_other question current_practice known_initiatives preferred_period "
    "practical_wishes locale programme_id created_at updated_at",
    "municipality_contacts": "booking_request_id",
    "quotes": "id booking_request_id status vat_rate_bp valid_until created_at sent_at "
    "answered_at billing_country buyer_legal_scheme buyer_legal_id buyer_peppol_id e_invoice "
    "terms terms_agreed_at decline_reason invoice_id",
    "quote_lines": "id quote_id position description amount_cents",
    "initiatives": "id name place municipality description themes website accessibility "
    "capacity consent_date share_description share_address share_contact photos_allowed "
    "created_at updated_at",
    "site_visits": "id session_id initiative_id starts_at ends_at status host_key "
    "responded_at thanked_at feedback_at created_at",
    "site_visit_participants": "registration_id session_id",
    "session_hosts": "session_id initiative_id host_organisation",
    "rate_limit_counters": "window_start expires_at",
    "hosting_offers": "id programme_id registration_id session_id preferred_session_id status "
    "created_at accepted_at withdrawn_at reminded_at",
    "hosting_questions": "id offer_id registration_id mail_id created_at",
    "reminder_opt_outs": "registration_id",
    "reminder_settings": "programme_id days_before updated_at",
    "session_reminders": "id session_id registration_id",
    "renewals": "id programme_id next_programme_id deadline opens_as created_at reminded_at "
    "closed_at",
    "renewal_invitations": "id renewal_id registration_id new_registration_id",
    "theme_settings": "programme_id votes_per_person updated_at",
    "themes": "id programme_id proposed_by_registration_id proposed_by_user_id hidden_at "
    "hidden_by_user_id scheduled_at scheduled_session_id created_at",
    "theme_votes": "id theme_id registration_id",
    "trainer_feeds": "id",
}


def personal_columns() -> dict[str, Item]:
    """Each declared personal column ("table.column") and its item."""
    return {column: item for item in ITEMS for column in item.columns}


def not_personal_columns() -> set[str]:
    return {
        f"{table}.{column}" for table, names in NOT_PERSONAL.items() for column in names.split()
    }


def items_for(step: Step) -> list[Item]:
    return [item for item in ITEMS if item.step is step]
