"""PDFs embed their CJK font, so they print the same in any reader."""

import io

from reportlab.pdfgen import canvas

from rainforest.pdf import cjk_font


def test_the_cjk_font_is_embedded_as_truetype():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pageCompression=0)
    page.setFont(cjk_font(), 12)
    page.drawString(50, 700, "润苗基金 · 2026年第四季度 報告")
    page.setFont(cjk_font(bold=True), 12)
    page.drawString(50, 680, "场景交易所")
    page.save()
    pdf = buffer.getvalue()
    assert pdf.count(b"/FontFile2") == 2  # one embedded TrueType subset per weight
    assert b"STSong" not in pdf
