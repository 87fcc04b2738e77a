"""Industry cluster codes accepted in the ``industries`` column (shared/policy-spec.md §7.1).

The "X" part of 296X is an open list, so any ``HZ296X.X.<NAME>`` code is accepted too.
"""

from rainforest.core.districts import language_key

HZ296X = {
    "HZ296X.T.AI": "人工智能",
    "HZ296X.T.VIS": "视觉智能",
    "HZ296X.H.ROBOT": "具身智能机器人及其他智能终端",
    "HZ296X.H.IC": "集成电路",
    "HZ296X.H.BIO": "生物医药与医疗器械",
    "HZ296X.H.NET": "网络通信",
    "HZ296X.H.ICV": "智能网联汽车",
    "HZ296X.H.NEE": "新能源装备",
    "HZ296X.H.MAT": "新材料",
    "HZ296X.H.GEN": "高端通用设备",
    "HZ296X.H.TEX": "现代纺织与服装",
    "HZ296X.F.SYNBIO": "合成生物",
    "HZ296X.F.AERO": "航空航天",
    "HZ296X.F.LOWALT": "低空经济",
    "HZ296X.F.QUANT": "量子技术",
    "HZ296X.F.PHOTON": "光电科技",
    "HZ296X.F.BRAIN": "类脑智能",
}
OPEN_PREFIX = "HZ296X.X."

# The clusters' names in Traditional Chinese (Hong Kong government usage: 通訊 for 通信) and English.
NAMES: dict[str, dict[str, str]] = {
    "HZ296X.T.AI": {"zh-hant": "人工智能", "en": "Artificial intelligence"},
    "HZ296X.T.VIS": {"zh-hant": "視覺智能", "en": "Visual intelligence"},
    "HZ296X.H.ROBOT": {
        "zh-hant": "具身智能機器人及其他智能終端",
        "en": "Embodied-intelligence robots and other smart devices",
    },
    "HZ296X.H.IC": {"zh-hant": "集成電路", "en": "Integrated circuits"},
    "HZ296X.H.BIO": {"zh-hant": "生物醫藥與醫療器械", "en": "Biomedicine and medical devices"},
    "HZ296X.H.NET": {"zh-hant": "網絡通訊", "en": "Network communications"},
    "HZ296X.H.ICV": {"zh-hant": "智能網聯汽車", "en": "Intelligent connected vehicles"},
    "HZ296X.H.NEE": {"zh-hant": "新能源裝備", "en": "New-energy equipment"},
    "HZ296X.H.MAT": {"zh-hant": "新材料", "en": "New materials"},
    "HZ296X.H.GEN": {"zh-hant": "高端通用設備", "en": "High-end general equipment"},
    "HZ296X.H.TEX": {"zh-hant": "現代紡織與服裝", "en": "Modern textiles and apparel"},
    "HZ296X.F.SYNBIO": {"zh-hant": "合成生物", "en": "Synthetic biology"},
    "HZ296X.F.AERO": {"zh-hant": "航空航天", "en": "Aerospace"},
    "HZ296X.F.LOWALT": {"zh-hant": "低空經濟", "en": "Low-altitude economy"},
    "HZ296X.F.QUANT": {"zh-hant": "量子技術", "en": "Quantum technology"},
    "HZ296X.F.PHOTON": {"zh-hant": "光電科技", "en": "Optoelectronics"},
    "HZ296X.F.BRAIN": {"zh-hant": "類腦智能", "en": "Brain-inspired intelligence"},
}


def is_known(code: str) -> bool:
    if code in HZ296X:
        return True
    rest = code.removeprefix(OPEN_PREFIX)
    return rest != code and rest.replace("_", "").isalnum() and rest.isupper()


def cluster_name(code: str, language: str | None) -> str:
    """A cluster's name in ``language``; an open-list code (``HZ296X.X.<NAME>``) has only its code."""
    key = language_key(language)
    if code not in HZ296X:
        return code
    return HZ296X[code] if key == "zh-hans" else NAMES[code][key]
