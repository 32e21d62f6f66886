"""Props for injects, made with Faker from the exercise seed: the alert as a monitoring tool
sends it, log lines, a dashboard reading, customer tickets, social posts, a vendor's status
notice. Each is seeded from the exercise seed and the inject's own key, so adding an inject
never changes another's props."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import TYPE_CHECKING

from drillsim.drills.exercise import Artefact

if TYPE_CHECKING:
    from faker import Faker

    from drillsim.scenarios.scenario import Incident

# what a log line says, by a word in the incident's type; the first match wins
_LOG_LINES = (
    ("notification", ("delivery failed: provider returned 503", "retry queue depth {n}",
                      "webhook to provider timed out after 30s")),
    ("payment", ("charge declined by processor: upstream_error", "payment intent stuck in "
                 "'processing' for {n}s", "circuit breaker open for processor")),
    ("database", ("checksum mismatch on page {n} of customer_records",
                  "replica reports invalid row version", "constraint violation while reading "
                  "customer_records")),
    ("breach", ("login for admin account from unfamiliar network",
                "bulk export of {n} customer records by service token",
                "token used from two countries within a minute")),
    ("region", ("health check failed for zone b", "p95 latency {n} ms on edge",
                "connection reset by peer (load balancer)")),
    ("integration", ("third-party API returned 429", "request to vendor timed out",
                     "fallback vendor not configured for {n} templates")),
)
_DEFAULT_LINES = ("request failed with 500", "upstream timeout after {n} ms",
                  "error rate above threshold")


def faker_for(seed: int, key: str) -> Faker:
    """A Faker seeded from the exercise seed and a stable key."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(zlib.crc32(f"{seed}/{key}".encode()))
    return fake


def _stamp(at: dt.datetime) -> str:
    return at.isoformat(timespec="seconds")


def _lines_for(incident_type: str) -> tuple[str, ...]:
    return next((lines for word, lines in _LOG_LINES if word in incident_type), _DEFAULT_LINES)


def alert(fake: Faker, at: dt.datetime, incident: Incident, name: str, rule: str,
          severity: str) -> Artefact:
    """A firing alert as a monitoring tool would send it."""
    services = ", ".join(incident.services) or "unknown"
    body = (f"[FIRING:1] {name}\nseverity: {severity}\nservice: {services}\n"
            f"rule: {rule}\nstarted: {_stamp(at)}\n"
            f"host: ip-{fake.ipv4_private().replace('.', '-')}.internal\n"
            f"runbook: https://runbooks.example.com/{name}\nalert id: {fake.uuid4()[:8]}")
    return Artefact("alert", f"Alert {name}", body)


def logs(fake: Faker, at: dt.datetime, incident: Incident, count: int = 5) -> Artefact:
    """Application log lines around the moment of the inject."""
    lines = []
    templates = _lines_for(incident.type)
    service = incident.services[0] if incident.services else "app"
    back = sorted((fake.random_int(5, 600) for _ in range(count)), reverse=True)
    for i in range(count):
        moment = at - dt.timedelta(seconds=back[i])
        text = fake.random_element(templates).format(n=fake.random_int(40, 9000))
        level = fake.random_element(("ERROR", "ERROR", "WARN"))
        lines.append(f"{_stamp(moment)} {level} {service} req={fake.uuid4()[:12]} "
                     f"ip={fake.ipv4_public()} {text}")
    return Artefact("logs", f"Log lines from {service}", "\n".join(lines))


def dashboard(fake: Faker, at: dt.datetime, incident: Incident, minutes_in: float,
              recovered: bool = False) -> Artefact:
    """The dashboard reading at the inject: each symptom at its level (ramped), or back to its
    baseline once impact has ended."""
    rows = []
    for metric, symptom in sorted(incident.symptoms.items()):
        share = 1.0 if symptom.ramp <= 0 else min(1.0, max(minutes_in, 0.0) / symptom.ramp)
        value = symptom.baseline if recovered else symptom.baseline + (
            symptom.value - symptom.baseline) * share
        rows.append(f"{metric}: {value:,.1f} (normal {symptom.baseline:,.1f})")
    if not rows:
        rows.append("requests failing: " + ("0.1%" if recovered else
                                            f"{fake.random_int(5, 60)}%"))
    rows.append(f"requests per minute: {fake.random_int(800, 4000):,}")
    state = "recovered" if recovered else "degraded"
    return Artefact("dashboard", f"Dashboard at {at:%H:%M} ({state})", "\n".join(rows))


def tickets(fake: Faker, at: dt.datetime, incident: Incident, count: int = 3) -> Artefact:
    """Customer support tickets as the help desk shows them."""
    service = incident.services[0].replace("-", " ") if incident.services else "your service"
    complaints = (f"Something is wrong with {service}, it keeps failing for me",
                  "Is something broken? Nothing I do works right now",
                  "Your service has been failing for a while, please call me back",
                  "Error page every time I try, what is going on?")
    rows = []
    for i in range(count):
        moment = at + dt.timedelta(minutes=2 * i)
        rows.append(f"#{fake.random_int(10000, 99999)} {_stamp(moment)} from {fake.name()} "
                    f"<{fake.user_name()}@example.com>: {fake.random_element(complaints)}")
    return Artefact("tickets", "Customer tickets", "\n".join(rows))


def social(fake: Faker, at: dt.datetime, count: int = 2) -> Artefact:
    """Public posts about the outage."""
    posts = ("anyone else getting errors? been trying for ages",
             "down again?? this is the second time this month",
             "great, can't get anything done today. any update?",
             "status page says all good but nothing works for me")
    rows = [f"@{fake.user_name()} ({_stamp(at + dt.timedelta(minutes=3 * i))}): "
            f"{fake.random_element(posts)}" for i in range(count)]
    return Artefact("social", "Social media posts", "\n".join(rows))


def vendor(fake: Faker, at: dt.datetime, incident: Incident) -> Artefact:
    """A vendor's status page notice."""
    company = fake.company()
    body = (f"{company} status, {_stamp(at)}\nInvestigating: some customers see elevated errors "
            f"on our API. Engineers are engaged and we will post the next update within 30 "
            f"minutes.\nAffected: {', '.join(incident.services) or 'API'}")
    return Artefact("vendor", f"Vendor status notice ({company})", body)


def chat(fake: Faker, at: dt.datetime, incident: Incident) -> Artefact:
    """A colleague's message reporting what they found."""
    body = (f"{fake.first_name()} ({_stamp(at)}): something is off with "
            f"{', '.join(incident.services) or 'production'}: {incident.title.lower()}. "
            "Can someone on call take a look?")
    return Artefact("chat", "Message in the engineering channel", body)
