"""A generated corpus of capabilities and scenarios at any size, for the benchmark (seeded).

Texts are assembled from the vocabulary of real scenario lists: a domain, a device or method,
one to three technologies, a place and a reference phrase, so lengths and word statistics are
close to the real lists (100-200 characters), and a fifth of them are written in traditional
characters.
"""

from __future__ import annotations

import random

import opencc

from rainforest.core.matching.documents import Document

DOMAINS = {
    "patrol": (["四足巡检机器人", "挂轨巡检机器人", "巡检无人机", "隧道检测平台", "爬索机器人", "安防巡逻车"],
               ["变电站", "综合管廊", "地铁隧道", "燃气管网", "斜拉桥", "污水处理厂", "数据中心机房", "堤防"]),
    "industry": (["协作机械臂", "视觉检测平台", "AMR调度系统", "打磨机器人", "上下料机械手", "柔性装配线"],
                 ["焊装车间", "锂电池产线", "注塑车间", "仓储物流中心", "纺纱车间", "化工园区"]),
    "life": (["室内配送机器人", "无人配送车", "炒菜机器人", "清洁机器人", "陪护机器人", "盘点机器人"],
             ["写字楼", "社区", "高校食堂", "商场", "居家", "酒店"]),
    "tourism": (["导览机器人", "数字人讲解系统", "客流预测模型", "互动表演机器人", "游船讲解终端"],
                ["景区", "博物馆", "展馆", "演艺场所", "游客中心"]),
    "care": (["康复外骨骼", "医院物流机器人", "跌倒监测系统", "消杀机器人", "导诊机器人", "配药机器人"],
             ["康复医院", "养老院", "发热门诊", "门诊大厅", "药房", "病房"]),
    "other": (["视觉大模型", "政务问答系统", "能耗管理平台", "风险监测模型", "物联感知终端", "内涝预警系统"],
              ["街道", "政务大厅", "产业园区", "河道", "城中村", "低洼路段"]),
}  # fmt: skip
TECH = [
    "激光SLAM导航", "红外热成像", "声纹识别", "深度学习", "多模态大模型", "5G回传", "数字孪生", "边缘计算",
    "毫米波雷达", "北斗定位", "力控", "语音交互", "知识图谱", "自主充电", "多机调度", "三维激光扫描",
    "缺陷识别", "RFID", "视频分析", "气体检测", "超声检测", "机器视觉", "路径规划", "远程遥控",
]  # fmt: skip
TASKS = ["巡检", "检测", "配送", "讲解", "识别", "预警", "监测", "搬运", "分拣", "看护", "消毒", "调度"]
REFERENCES = [
    "已在杭州市内试点",
    "服务多家国企",
    "获得发明专利",
    "通过第三方检测",
    "具备批量交付能力",
    "可提供免费试用",
]
DETAILS = [
    "产品已迭代至第{n}代，单台设备连续工作{h}小时，可与{t}系统对接，提供{y}年运维服务",
    "团队核心成员来自高校与科研院所，拥有{n}项专利，{t}算法在公开评测中排名前列",
    "支持私有化部署与数据本地存储，满足等保三级要求，已完成{n}个项目交付，平均{h}天上线",
    "设备防护等级IP{n}5，适应{h}摄氏度以下低温环境，{t}模块可按需选配，交付周期{y}个月",
]
DISTRICTS = ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区",
             "桐庐县", "淳安县", "建德市"]  # fmt: skip
_S2T = opencc.OpenCC("s2t")


def _text(rng: random.Random, domain: str, scenario: bool) -> tuple[str, str]:
    devices, places = DOMAINS[domain]
    device, place = rng.choice(devices), rng.choice(places)
    techs = "、".join(rng.sample(TECH, rng.randint(1, 3)))
    task = rng.choice(TASKS)
    if scenario:
        title = f"{place}{task}需求"
        where = rng.choice(DISTRICTS)
        body = f"{place}现有人工{task}效率低，希望引入{device}，要求具备{techs}能力，可在{where}实地部署验证。"
    else:
        title = f"{device}（{task}）"
        detail = rng.choice(DETAILS).format(
            n=rng.randint(2, 6), h=rng.randint(8, 48), t=rng.choice(TECH), y=rng.randint(1, 5)
        )
        body = f"面向{place}等场景的{device}，采用{techs}，支持{task}与告警联动，{rng.choice(REFERENCES)}。{detail}。"
    if rng.random() < 0.2:
        title, body = _S2T.convert(title), _S2T.convert(body)
    return title, body


def capabilities(n: int, *, seed: int = 2026) -> list[Document]:
    rng = random.Random(seed)
    names = list(DOMAINS)
    out = []
    for i in range(n):
        domain = rng.choice(names)
        title, body = _text(rng, domain, scenario=False)
        kind = rng.choices(["enterprise", "poc_centre", "pilot_base"], weights=[90, 5, 5])[0]
        out.append(
            Document(
                id=f"C{i:07d}",
                title=title,
                body=body,
                domains=(domain,),
                districts=tuple(rng.sample(DISTRICTS, rng.randint(1, 3))),
                trl=rng.randint(3, 9),
                org_kind=kind,
            )
        )
    return out


def scenarios(n: int, *, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    names = list(DOMAINS)
    out = []
    for i in range(n):
        domain = rng.choice(names)
        title, body = _text(rng, domain, scenario=True)
        out.append(Document(id=f"S{i:05d}", title=title, body=body, domains=(domain,), trl=rng.randint(4, 8)))
    return out
