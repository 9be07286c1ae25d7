"""The names, relations, phone prefixes and regions ``canbao demo`` draws its synthetic people from (data only;
``demo_people`` generates the population). Pure: no SQLite."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..domain.idnumber import demo_area_code
from ..domain.policy import Policy


# ---------------------------------------------------------------- names
# Common surnames with their share per 10,000 people (2020 census order, rounded); a few compound ones.
_SURNAMES = (
    "王712 李679 张654 刘529 陈450 杨305 黄220 赵219 吴180 周169 徐132 孙127 马123 朱117 胡109 郭106 何105 "
    "高99 林96 罗89 郑87 梁84 谢76 宋67 唐63 许58 韩57 冯55 邓54 曹54 彭51 曾49 肖47 田46 董45 袁43 潘42 "
    "于42 蒋41 蔡40 余39 杜38 叶37 程37 苏36 魏35 吕34 丁34 任34 沈33 姚32 卢32 姜31 崔30 钟30 谭29 陆28 "
    "汪28 范28 金27 石26 廖26 贾26 夏25 韦25 付25 方25 白24 邹24 孟23 熊23 秦22 邱22 江22 尹21 薛21 闫21 "
    "段20 雷20 侯20 龙19 史19 陶18 黎18 贺18 顾17 毛17 郝17 龚16 邵16 万16 钱15 严15 武15 戴15 莫14 孔14 "
    "向14 汤14 常13 温13 康13 施13 文12 牛12 樊12 葛12 邢12 安11 齐11 易11 乔11 伍11 庞11 颜11 倪10 庄10 "
    "聂10 章10 鲁10 岳10 翟10 殷9 詹9 申9 欧阳4 上官1 司马1 诸葛1 皇甫1 令狐1"
)
SURNAMES: tuple[str, ...] = tuple(item.rstrip("0123456789") for item in _SURNAMES.split())
SURNAME_WEIGHTS: tuple[int, ...] = tuple(int(item[len(s):]) for item, s in zip(_SURNAMES.split(), SURNAMES))

MALE_CHARS = ("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文海东峰成亮新春德永胜金兵庆福"
              "宝山长生子轩博睿晨然泽铭豪一诚锐振彬松树义仁忠贵发财利民学士立先家兴")
FEMALE_CHARS = ("芳娜敏静丽艳娟霞秀英华玲桂兰红梅琳燕萍雪慧倩婷颖晶洁琴云莉欣怡雨涵梓萱思佳悦可馨妍琪淑凤珍荣月彩"
                "春翠玉金素晓丹微亚巧")
# Characters outside the everyday set (one outside the BMP), so rare-character handling is exercised.
RARE_CHARS = ("𠈌", "䶮", "堃", "喆", "犇", "淼", "玥", "赟", "昇", "燚", "珺", "旻")
RARE_SHARE = 0.008

RELATIONS = ("本人", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "儿媳", "女婿")
_RELATION_SEX = {"子": "男", "女": "女", "父亲": "男", "母亲": "女", "孙子": "男", "孙女": "女", "儿媳": "女", "女婿": "男"}

HOUSEHOLD_SIZE_WEIGHTS = {1: 16, 2: 28, 3: 22, 4: 15, 5: 10, 6: 5, 7: 3, 8: 1}
MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 155 156 157 158 159 166 "
                   "173 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199").split()
_NUMERALS = "一二三四五六七八九十"


# ---------------------------------------------------------------- regions
@dataclass(frozen=True, slots=True)
class DemoRegion:
    county: str  # 农安县
    area_kind: str  # 区 / 县, as the policy splits subsidies
    province: str  # 2-digit province code: demo IDs carry idnumber.demo_area_code(province), issued nowhere
    townships: tuple[str, ...]
    village_prefixes: tuple[str, ...]
    village_suffixes: tuple[str, ...]

    @property
    def area_code(self) -> str:
        """The 6-digit code every demo ID number starts with: no real person can have it."""
        return demo_area_code(self.province)


_NORTH_PREFIXES = ("王家 李家 张家 刘家 陈家 赵家 孙家 周家 郑家 冯家 高家 于家 董家 曲家 邢家 姜家 前 后 东 西 南 北 大 小 "
                   "新 长 红旗 胜利 永安 太平 兴隆 三合 双山 靠山 青山 柳树 杨树 五家 八里 十里").split()
_SOUTH_PREFIXES = ("石桥 枫林 桃花 杨柳 新塘 龙井 竹山 田心 白果 茶园 黄泥 荷叶 高峰 双江 清水 金星 长冲 大坪 "
                   "樟树 松坡 马家 李家 塘湾 双龙").split()

REGIONS: dict[str, DemoRegion] = {
    "吉林省长春市": DemoRegion("农安县", "县", "22",
                          ("合隆镇", "烧锅镇", "华家镇", "开安镇", "哈拉海镇", "三盛玉镇", "万顺乡", "黄鱼圈乡",
                           "青山口乡", "前岗乡", "巴吉垒镇", "伏龙泉镇", "三岗镇", "龙王乡", "永安乡", "杨树林乡"),
                          _NORTH_PREFIXES, ("屯", "窝堡", "店", "岗", "沟", "营", "甸子", "房身", "城子")),
    "吉林省": DemoRegion("永吉县", "", "22",
                      ("岔路河镇", "万昌镇", "北大湖镇", "西阳镇", "一拉溪镇", "口前镇", "双河镇", "金家乡", "黄榆乡"),
                      _NORTH_PREFIXES, ("屯", "沟", "岗", "甸子", "堡", "河", "营")),
    "湖南省邵阳市双清区": DemoRegion("双清区", "", "43",
                             ("高崇山镇", "渡头桥镇", "火车站乡", "东风路街道", "石桥街道", "汽车站街道", "龙须塘街道"),
                             _SOUTH_PREFIXES, ("冲", "坪", "塘", "湾", "铺", "岭", "村")),
    "山西省长治市屯留区": DemoRegion("屯留区", "", "14",
                             ("渔泽镇", "上村镇", "丰宜镇", "张店镇", "余吾镇", "吾元镇", "路村乡", "西贾乡", "李高乡"),
                             _NORTH_PREFIXES, ("庄", "沟", "坡", "村", "堡", "河", "岭")),
}


def region_for(policy: Policy) -> DemoRegion:
    region = REGIONS.get(policy.region, REGIONS["吉林省长春市"])
    kind = region.area_kind if region.area_kind in policy.area_kinds else (policy.area_kinds[0] if policy.area_kinds else "")
    return dataclasses.replace(region, area_kind=kind)
