"""What a person reads on a page, and the Latin words and raw codes in it.

Visible text is the text of the page without its scripts, styles and templates, plus the attributes
people see or hear: title, placeholder, aria-label, alt, and the value of input buttons. A Latin
word there is a finding unless the allow-list below names it, with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from rainforest.core import uscc

# Elements whose content nobody reads on the page.
HIDDEN_ELEMENTS = {"script", "style", "template"}
# Literals a person copies, types or compares (a key, a token, a digest, a receipt number, a header):
# the platform marks them <code>, and the label in front of them is checked like any other text.
LITERAL_ELEMENTS = {"code", "kbd", "samp"}
SEEN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
BUTTON_INPUTS = {"submit", "button", "reset"}

# Words a Chinese reader of a bureau's platform reads as they are, each with its reason.
ALLOWED_WORDS = {
    # Product, file-format and standard names: Chinese software and government documents keep them.
    "ECharts": "product name (the chart library)",
    "API": "product term used as is in Chinese documents",
    "PDF": "file format",
    "XLSX": "file format",
    "CSV": "file format",
    "JSON": "file format",
    "JSONL": "file format",
    "OCF": "name of a standard (Open Cap Format), shown with its version",
    "TOTP": "name of the second-factor standard, shown with its Chinese name",
    "Excel": "product name",
    "Office": "product name (Office 文档)",
    "OpenAPI": "name of the API description standard",
    "GB18030": "name of the Chinese national character-encoding standard",
    "UTF": "UTF-8, the character encoding's name",
    "296X": "the name of Hangzhou's advanced-manufacturing cluster programme (杭州“296X”先进制造业集群)",
    "WPS": "product name",
    "English": "the language switcher names each language in itself",
    # Fund terms that Chinese LP reports print in Latin letters (AMAC and investor reports do).
    "IRR": "fund performance term, printed as is in Chinese LP reports",
    "XIRR": "the IRR method's name (the spreadsheet function), printed as is in Chinese LP reports",
    "TVPI": "fund performance term, printed as is in Chinese LP reports",
    "DPI": "fund performance term, printed as is in Chinese LP reports",
    "RVPI": "fund performance term, printed as is in Chinese LP reports",
    "MOIC": "fund performance term, printed as is in Chinese LP reports",
    "SAFE": "name of an instrument (simple agreement for future equity), no Chinese equivalent",
    "Pre-A": "financing round Pre-A (Pre-A轮), as Chinese investors write it",
    "AI": "written as is in Chinese (人工智能/AI), including in scenario titles",
    "TRL": "技术成熟度（TRL）: the scale's name as Chinese science-and-technology programmes print it",
}
# Technical terms Chinese writers keep in Latin letters (in scenario and capability texts).
TECHNICAL_TERMS = {
    "GPU", "CPU", "5G", "4G", "GMP", "GLP", "GSP", "CT", "MRI", "PET", "AR", "VR", "XR", "IoT", "RFID", "LiDAR",
    "SaaS", "PaaS", "IC", "EDA", "OLED", "LED", "PCB", "CNC", "AGV", "BIM", "GIS", "SLAM", "mRNA", "DNA", "RNA",
    "PCR", "CAR", "UWB", "AMR", "V2X", "ADAS", "BMS", "SiC", "GaN", "ISO", "CNAS", "CMA", "eVTOL", "ROS", "IP",
}  # fmt: skip
# Roman numerals number classes in Chinese rules (II 类知识产权).
ROMAN = {"I", "II", "III", "IV", "V", "VI"}
# Units after a number (e.g. 100m, 5 kg, 20 GB).
UNITS = {
    "m", "km", "cm", "mm", "kg", "g", "t", "h", "s", "ms", "min", "GB", "MB", "KB", "TB", "kW", "kWh",
    "MW", "MWh", "W", "V", "kV", "Hz", "GHz", "MHz", "nm", "L", "ml", "mL",
    "x",  # a multiple (1.67x), as Chinese fund reports print MOIC and TVPI
}  # fmt: skip

# Spans that are allowed as a whole, removed before words are looked for (ASCII word boundaries: a
# Chinese character next to a code is a boundary, as it is to a reader).
ALLOWED_SPANS = [
    ("air-quality measure (PM2.5, PM10)", re.compile(r"\bPM(?:2\.5|10)\b", re.A)),
    ("URL", re.compile(r"\bhttps?://[^\s<>\"'，。；、）]+", re.A)),
    ("e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", re.A)),
    ("industry cluster code (296X)", re.compile(r"\bHZ296X(?:\.[A-Z]+)*(?:\.\*)?", re.A)),
    (
        "rule or measure id (HT-05, RF-08, RM-M05b, RM-HMZ-01)",
        re.compile(r"\b[A-Z]{1,4}(?:-[A-Z]{1,5})*-[A-Z]?\d{1,3}[a-z]?\b", re.A),
    ),
    (
        "policy source id (S0-S99, S0-P1: the policy library's source list)",
        re.compile(r"\bS\d{1,2}(?:-P\d{1,2})?\b", re.A),
    ),
    (
        "the fund's compliance check ids as committee papers cite them (FUND-TICKET, FUND-NOT-LARGEST)",
        re.compile(r"\bFUND(?:-[A-Z]+)+\b", re.A),
    ),
    ("reference number of a contract or document (HZB-2026-0418)", re.compile(r"\b[A-Z]{2,6}-\d{4}-\d{2,6}\b", re.A)),
    (
        "file name a person uploaded",
        re.compile(r"[\w\-.]+\.(?:csv|xlsx|xls|pdf|json|docx?|pptx?|zip|png|jpe?g)\b", re.I | re.A),
    ),
    ("financing round (A轮, B+轮)", re.compile(r"(?<![A-Za-z])(?:Pre-)?[A-F]\+{0,2}(?=\s?轮)", re.A)),
]
USCC_LIKE = re.compile(r"\b[0-9A-Z]{18}\b", re.A)
# A run of Latin letters, with what makes it a code (underscores, dots, digits glued to it).
LATIN_RUN = re.compile(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*(?:[.:/\-][A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*)*")
NUMBER_THEN_UNIT = re.compile(r"\d\s?$")
LEADING_NUMBER = re.compile(r"\d+(?:\.\d+)?(?=[A-Za-z])")

# Numbers as the database holds them (17228000.00, 0.1471, 0.034500, +08:00).
RAW_NUMBERS = [
    ("ungrouped amount", re.compile(r"(?<![\d,.])\d{5,}\.\d+(?![\d])")),
    ("ungrouped large number", re.compile(r"(?<![\d,.\-:A-Za-z])\d{7,}(?![\d\-A-Za-z]|\.\d)")),
    ("ratio or rate with four or more decimals", re.compile(r"(?<![\d.])\d+\.\d{4,}(?!\d)")),
    ("time-zone offset", re.compile(r"(?<=\d)[+-]\d{2}:\d{2}(?!\d)")),
]


@dataclass(frozen=True)
class Finding:
    where: str  # "text" or the attribute's name
    token: str
    context: str
    chunk: str = ""  # the whole text node or attribute value it was found in

    def __str__(self) -> str:
        return f"{self.token!r} in {self.where}: …{self.context}…"


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.literal_depth = 0
        self.chunks: list[tuple[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth += 1
            return
        if tag in LITERAL_ELEMENTS:
            self.literal_depth += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if self.hidden_depth:
            return
        for name in SEEN_ATTRIBUTES:
            if attributes.get(name):
                self.chunks.append((name, attributes[name]))
        if tag == "input" and (attributes.get("type") or "").lower() in BUTTON_INPUTS and attributes.get("value"):
            self.chunks.append(("value", attributes["value"]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS and self.hidden_depth:
            self.hidden_depth -= 1
        if tag in LITERAL_ELEMENTS and self.literal_depth:
            self.literal_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and not self.literal_depth and data.strip():
            self.chunks.append(("text", data))


def read_page(html: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The page's visible text chunks (where, text) and its links."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.chunks, parser.links


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    return " ".join(text[max(0, start - width) : end + width].split())


def findings_in(where: str, text: str, allowed_words: set[str] = frozenset()) -> list[Finding]:
    """The Latin words and raw numbers in one chunk of visible text."""
    masked = text
    for _reason, pattern in ALLOWED_SPANS:
        masked = pattern.sub(lambda m: " " * len(m.group()), masked)
    masked = USCC_LIKE.sub(lambda m: " " * 18 if uscc.is_valid(m.group()) else m.group(), masked)
    found = []
    for match in LATIN_RUN.finditer(masked):
        token = match.group()
        if _allowed(token, masked[: match.start()], allowed_words):
            continue
        found.append(Finding(where, token, _context(text, match.start(), match.end()), text))
    for reason, pattern in RAW_NUMBERS:
        for match in pattern.finditer(masked):
            context = _context(text, match.start(), match.end())
            found.append(Finding(where, f"{match.group()} ({reason})", context, text))
    return found


def _allowed(token: str, before: str, allowed_words) -> bool:
    if token in ALLOWED_WORDS or token in TECHNICAL_TERMS or token in ROMAN or token in allowed_words:
        return True
    if len(token) == 1 and token.isupper():  # a label such as 方案A, A类
        return True
    number = LEADING_NUMBER.match(token)
    if number:  # 100m, 5kg: the unit is glued to its number
        return token[number.end() :] in UNITS
    return token in UNITS and NUMBER_THEN_UNIT.search(before) is not None


def page_findings(html: str, allowed_words: set[str] = frozenset()) -> list[Finding]:
    chunks, _links = read_page(html)
    return [f for where, text in chunks for f in findings_in(where, text, allowed_words)]
