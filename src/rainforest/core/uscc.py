"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V):
registration authority (1), organisation type (1), administrative division (6), organisation
code (9) and a check character computed over the first seventeen with fixed weights.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

# GB 11714 organisation code (positions 9-17) has its own check digit; generators use it.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class UsccError(ValueError):
    """Why a code is not valid: ``code`` is one of length, charset, check."""

    code: str
    expected: str | None = None
    found: str | None = None

    def __str__(self) -> str:  # English fallback; the web layer translates by ``code``.
        if self.code == "check":
            return f"check character should be {self.expected}, not {self.found}"
        if self.code == "charset":
            return f"character {self.found!r} is not allowed"
        return f"must be {LENGTH} characters"


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first seventeen characters."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Strip blanks and upper-case, as clerks type codes in either case."""
    return code.strip().upper()


def validate(code: str) -> str:
    """Return the normalised code or raise :class:`UsccError`."""
    code = normalise(code)
    if len(code) != LENGTH:
        raise UsccError("length", found=str(len(code)))
    for ch in code:
        if ch not in _VALUE:
            raise UsccError("charset", found=ch)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError("check", expected=expected, found=code[17])
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except UsccError:
        return False
    return True


def org_code_check(first8: str) -> str:
    """GB 11714 check digit of an eight-character organisation code body."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def build(authority: str, org_type: str, division: str, org_body: str) -> str:
    """Assemble a complete, valid code from its parts (used by the demo city generator)."""
    body = f"{authority}{org_type}{division}{org_body}{org_code_check(org_body)}"
    return body + check_character(body)
