"""Chart status for pages outside the extraction app (the Studies page), from loaded charts."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def chart_status(charts) -> str:
    """'2 submitted, 1 in progress · consensus agreed': counts only, no one's answers."""
    charts = list(charts)
    if not charts:
        return "Not started"
    independent = [c for c in charts if c.kind == "reviewer"]
    submitted = sum(c.status == "submitted" for c in independent)
    parts = []
    if submitted:
        parts.append(f"{submitted} submitted")
    if len(independent) - submitted:
        parts.append(f"{len(independent) - submitted} in progress")
    consensus = next((c for c in charts if c.kind == "consensus"), None)
    text = ", ".join(parts) or "Not started"
    if consensus is not None:
        text += f" · consensus {consensus.get_verification_status_display().lower()}"
    return text
