"""Hangzhou's districts and counties with their administrative division codes (GB/T 2260), and
their names in the interface's three languages.

Records keep a district by its Simplified Chinese name (the key of ``DISTRICTS``); pages show it
with ``district_name`` in the reader's language. The Traditional names are the characters the
Hong Kong and Taiwan governments write for these places (余杭 is 餘杭); the English names are the
pinyin the State Council's gazetteer gives, with the kind of division in English.
"""

DISTRICTS = {
    "上城区": "330102", "拱墅区": "330105", "西湖区": "330106", "滨江区": "330108",
    "萧山区": "330109", "余杭区": "330110", "富阳区": "330111", "临安区": "330112",
    "临平区": "330113", "钱塘区": "330114", "桐庐县": "330122", "淳安县": "330127",
    "建德市": "330182",
}  # fmt: skip

# The West Lake scenic area is run by its own management committee and has no GB/T 2260 code,
# but addresses and scenario filings name it as a place of its own.
SCENIC_AREA = "西湖风景名胜区"

NAMES: dict[str, dict[str, str]] = {
    "上城区": {"zh-hant": "上城區", "en": "Shangcheng District"},
    "拱墅区": {"zh-hant": "拱墅區", "en": "Gongshu District"},
    "西湖区": {"zh-hant": "西湖區", "en": "Xihu District"},
    "滨江区": {"zh-hant": "濱江區", "en": "Binjiang District"},
    "萧山区": {"zh-hant": "蕭山區", "en": "Xiaoshan District"},
    "余杭区": {"zh-hant": "餘杭區", "en": "Yuhang District"},
    "富阳区": {"zh-hant": "富陽區", "en": "Fuyang District"},
    "临安区": {"zh-hant": "臨安區", "en": "Lin'an District"},
    "临平区": {"zh-hant": "臨平區", "en": "Linping District"},
    "钱塘区": {"zh-hant": "錢塘區", "en": "Qiantang District"},
    "桐庐县": {"zh-hant": "桐廬縣", "en": "Tonglu County"},
    "淳安县": {"zh-hant": "淳安縣", "en": "Chun'an County"},
    "建德市": {"zh-hant": "建德市", "en": "Jiande City"},
    SCENIC_AREA: {"zh-hant": "西湖風景名勝區", "en": "West Lake Scenic Area"},
}


def language_key(language: str | None) -> str:
    """``zh-hans``, ``zh-hant`` or ``en`` for a Django or locale language code (``zh_Hant``, ``en-us``)."""
    code = (language or "").replace("_", "-").lower()
    if code.startswith("en"):
        return "en"
    if code in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"} or code.startswith("zh-hant"):
        return "zh-hant"
    return "zh-hans"


def district_name(name: str, language: str | None) -> str:
    """A district as a reader of ``language`` writes it; a name the list does not know is shown as kept."""
    key = language_key(language)
    if key == "zh-hans" or not name:
        return name
    return NAMES.get(name, {}).get(key, name)
