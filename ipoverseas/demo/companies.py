"""Invented companies that ask the demo consultations: plausible names (clearly fictional: the
words are made up), across the sub-centres' provinces and the industries their exporters work in.
Each becomes a demo enterprise account (removed with the rest by `demo remove`)."""

from __future__ import annotations

# (name, province = the sub-centre that triages it, industry, contact)
COMPANIES: tuple[tuple[str, str, str, str], ...] = (
    ("慈溪澄川小家电有限公司", "ZJ", "electronics", "方丽（国际业务部）"),
    ("温州瓯岚鞋服有限公司", "ZJ", "textiles", "郑海涛（外贸经理）"),
    ("台州弘锐汽摩配件有限公司", "ZJ", "auto", "叶建华（总经理）"),
    ("杭州栖云数智科技有限公司", "ZJ", "software", "沈一帆（法务）"),
    ("绍兴禾纺纺织品有限公司", "ZJ", "textiles", "金晓燕（跨境电商运营）"),
    ("永康铖越五金工具有限公司", "ZJ", "machinery", "应国平（出口部）"),
    ("东莞骏沅电子有限公司", "GD", "electronics", "黄志强（知识产权主管）"),
    ("佛山岚庭家具制造有限公司", "GD", "light_industry", "梁嘉欣（外贸主管）"),
    ("中山煦明照明科技有限公司", "GD", "electronics", "吴振宇（海外销售）"),
    ("汕头乐垣玩具实业有限公司", "GD", "light_industry", "蔡俊杰（总经理助理）"),
    ("珠海澜澈医疗器械有限公司", "GD", "medical_devices", "邓雅琪（注册与合规）"),
    ("无锡恒翊新能源科技有限公司", "JS", "new_energy", "顾宏伟（法务经理）"),
    ("常州锦驰电机有限公司", "JS", "machinery", "钱磊（外贸部）"),
    ("南通织澜家纺有限公司", "JS", "textiles", "陆晓婷（电商负责人）"),
    ("昆山岳泰精密模具有限公司", "JS", "machinery", "许文斌（技术总监）"),
    ("上海霁禾生物医药有限公司", "SH", "pharma", "林书妍（知识产权总监）"),
    ("上海湛序信息技术有限公司", "SH", "software", "赵启明（商务总监）"),
    ("上海澄芯半导体有限公司", "SH", "electronics", "王珂（专利工程师）"),
    ("北京岚图云智软件有限公司", "BJ", "software", "马骁（海外法务）"),
    ("北京朗众医疗科技有限公司", "BJ", "medical_devices", "高宁（国际注册部）"),
    ("潍坊沃禾农业装备有限公司", "SD", "machinery", "张德胜（出口业务员）"),
    ("烟台渤晟食品有限公司", "SD", "food_agri", "刘芳（外贸经理）"),
    ("淄博瑞陶化工材料有限公司", "SD", "chemicals", "孙立新（总经理）"),
    ("晋江峰驰运动用品有限公司", "FJ", "textiles", "许志斌（品牌部）"),
    ("厦门蓝屿光电有限公司", "FJ", "electronics", "陈思远（海外市场部）"),
    ("德化瓷语陶瓷有限公司", "FJ", "light_industry", "苏美玲（外贸主管）"),
    ("成都锦屏数码科技有限公司", "SC", "electronics", "杨帆（法务专员）"),
    ("绵阳川岳汽车零部件有限公司", "SC", "auto", "罗斌（出口部）"),
    ("武汉楚澜光通信有限公司", "HB", "telecom", "胡晓军（知识产权部）"),
    ("宜昌峡谷精细化工有限公司", "HB", "chemicals", "向春梅（国际贸易部）"),
    ("天津渤汇自行车有限公司", "TJ", "auto", "李宏（总经理助理）"),
    ("合肥沐辰储能科技有限公司", "AH", "new_energy", "汪涛（海外法务）"),
    ("芜湖峻驰汽车电子有限公司", "AH", "auto", "方明（外贸部）"),
    ("长沙湘岳工程机械有限公司", "HN", "machinery", "彭志刚（国际事业部）"),
    ("醴陵釉光陶瓷有限公司", "HN", "light_industry", "易娟（跨境电商）"),
)
