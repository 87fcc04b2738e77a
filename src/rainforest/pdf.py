"""What every PDF writer shares: the embedded CJK font, and text from users escaped before
reportlab's Paragraph reads it as markup."""

from xml.sax.saxutils import escape


def plain(value) -> str:
    """``value`` as Paragraph text that prints exactly as typed: a company named
    ``<img src="/etc/passwd">`` or ``<b>`` embeds no file and breaks no report."""
    return escape(str(value))


CJK_FONT = "NotoSansSC"
CJK_FONT_BOLD = "NotoSansSC-Bold"


def cjk_font(bold: bool = False) -> str:
    """The name of the CJK font PDFs are set in, registered with reportlab on first use.

    Noto Sans SC in TrueType outlines comes from the npm registry at install time
    (settings.PDF_FONT_DIR); reportlab embeds the subset a document uses, so a PDF prints the same in
    any reader. (The built-in CID font STSong-Light is not embedded: readers substitute their own font,
    "·" printed as a box and Acrobat asked for a font pack.) Simplified and Traditional characters are
    both covered."""
    from django.conf import settings
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = CJK_FONT_BOLD if bold else CJK_FONT
    if name not in pdfmetrics.getRegisteredFontNames():
        weight = "700Bold/NotoSansSC_700Bold.ttf" if bold else "400Regular/NotoSansSC_400Regular.ttf"
        path = settings.PDF_FONT_DIR / weight
        if not path.is_file():
            raise RuntimeError(f"The PDF font is not installed ({path} is missing): run `npm ci --no-audit --no-fund`.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name
