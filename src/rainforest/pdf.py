"""What every PDF writer shares: reportlab's Paragraph reads its text as markup, so text from
users is escaped before it gets there."""

from xml.sax.saxutils import escape


def plain(value) -> str:
    """``value`` as Paragraph text that prints exactly as typed: a company named
    ``<img src="/etc/passwd">`` or ``<b>`` embeds no file and breaks no report."""
    return escape(str(value))
