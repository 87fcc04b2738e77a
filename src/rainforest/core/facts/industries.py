"""Industry cluster codes accepted in the ``industries`` column (shared/policy-spec.md §7.1).

The "X" part of 296X is an open list, so any ``HZ296X.X.<NAME>`` code is accepted too.
"""

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


def is_known(code: str) -> bool:
    if code in HZ296X:
        return True
    rest = code.removeprefix(OPEN_PREFIX)
    return rest != code and rest.replace("_", "").isalnum() and rest.isupper()
