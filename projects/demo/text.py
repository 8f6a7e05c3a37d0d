"""Chinese vocabulary and the fixed demo cast used by projects.demo.

Data only. Names of firms, places and people are invented or generic; the streets and towns are
Jiaojiang's real ones. The cast (units and people) is the same for every seed, so several demo
plans share one set of demo units.
"""

from __future__ import annotations

from targets.choices import DepartmentKind, MilestoneKind

from ..choices import BlockerCategory, Category, Stage

EMAIL_DOMAIN = "demo.duban.local"

# Jiaojiang's eight streets and one town, with a few place names inside each (for project titles).
TOWNSHIPS: dict[str, tuple[str, ...]] = {
    "海门街道": ("海门", "东山", "枫山", "中山"),
    "白云街道": ("白云", "心海", "白云山"),
    "葭沚街道": ("葭沚", "外沙", "岩头", "农港城"),
    "洪家街道": ("洪家", "高铁新区", "杨司"),
    "三甲街道": ("三甲", "滨海", "东海"),
    "下陈街道": ("下陈", "江北", "聚洋"),
    "前所街道": ("前所", "椒北", "前所工业园"),
    "章安街道": ("章安", "椒北", "凤凰山"),
    "大陈镇": ("大陈岛", "上大陈", "下大陈"),
}
# Dachen is an island town with few projects; the streets on the mainland carry most of them.
TOWNSHIP_WEIGHTS = (16, 12, 14, 13, 10, 13, 9, 9, 4)

# (key, name, short name, kind, head title, contact title); key is how the generator refers to a unit.
UNITS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("transport", "区交通运输局", "交通局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "建设科科长"),
    ("housing", "区住房和城乡建设局", "住建局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "建管科科长"),
    ("industry", "区经济和信息化局", "经信局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "投资科科长"),
    ("education", "区教育局", "教育局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "计财科科长"),
    ("health", "区卫生健康局", "卫健局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "规划财务科科长"),
    ("commerce", "区商务局", "商务局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "外资科科长"),
    ("water", "区水利局", "水利局", DepartmentKind.DISTRICT_DEPARTMENT, "局长", "工程科科长"),
    ("citybuild", "区城市发展投资集团", "城投集团", DepartmentKind.STATE_COMPANY, "董事长", "工程部经理"),
    ("haimen", "海门街道", "海门街道", DepartmentKind.TOWNSHIP, "街道办事处主任", "经济发展办主任"),
    ("jiazhi", "葭沚街道", "葭沚街道", DepartmentKind.TOWNSHIP, "街道办事处主任", "经济发展办主任"),
    ("hongjia", "洪家街道", "洪家街道", DepartmentKind.TOWNSHIP, "街道办事处主任", "经济发展办主任"),
    ("xiachen", "下陈街道", "下陈街道", DepartmentKind.TOWNSHIP, "街道办事处主任", "经济发展办主任"),
)

# Which units lead which kind of project (the generator picks one at random).
LEAD_UNITS: dict[str, tuple[str, ...]] = {
    Category.INDUSTRIAL: ("industry", "industry", "xiachen", "hongjia", "jiazhi"),
    Category.SERVICES: ("commerce", "commerce", "haimen", "jiazhi"),
    Category.INFRASTRUCTURE: ("transport", "housing", "water", "citybuild", "citybuild"),
    Category.LIVELIHOOD: ("education", "health", "housing", "citybuild"),
    Category.ENERGY: ("industry", "citybuild", "hongjia"),
    Category.OTHER: ("haimen", "xiachen", "water", "commerce"),
}

# Two people per unit (head, contact), in UNITS order, then the district leaders: (name, pinyin).
UNIT_PEOPLE: tuple[tuple[str, str], ...] = (
    ("张伟", "zhang.wei"),
    ("王芳", "wang.fang"),
    ("李娜", "li.na"),
    ("刘洋", "liu.yang"),
    ("陈静", "chen.jing"),
    ("杨帆", "yang.fan"),
    ("赵磊", "zhao.lei"),
    ("黄敏", "huang.min"),
    ("周杰", "zhou.jie"),
    ("吴昊", "wu.hao"),
    ("徐丽", "xu.li"),
    ("孙浩", "sun.hao"),
    ("胡斌", "hu.bin"),
    ("朱红", "zhu.hong"),
    ("高翔", "gao.xiang"),
    ("林峰", "lin.feng"),
    ("何平", "he.ping"),
    ("郭涛", "guo.tao"),
    ("马超", "ma.chao"),
    ("罗琳", "luo.lin"),
    ("梁晨", "liang.chen"),
    ("宋佳", "song.jia"),
    ("郑凯", "zheng.kai"),
    ("谢婷", "xie.ting"),
)
LEADERS: tuple[tuple[str, str, str], ...] = (
    ("王建国", "wang.jianguo", "区委常委、常务副区长"),
    ("李明华", "li.minghua", "副区长"),
    ("陈志强", "chen.zhiqiang", "副区长"),
    ("张丽萍", "zhang.liping", "副区长"),
    ("林国平", "lin.guoping", "副区长"),
    ("周海涛", "zhou.haitao", "区委常委"),
    ("黄晓东", "huang.xiaodong", "区人大常委会副主任"),
    ("吴静", "wu.jing", "区政协副主席"),
)

# --- Project names -----------------------------------------------------------------------------

FIRMS = (
    "海晟",
    "东泰",
    "华宇",
    "明德",
    "信远",
    "瑞丰",
    "港联",
    "新海",
    "天和",
    "永宁",
    "金椒",
    "宏远",
    "利民",
    "中浩",
    "博创",
    "嘉禾",
)
PRODUCTS = (
    ("新能源汽车零部件", "万套"),
    ("锂电池铝壳端盖", "万套"),
    ("高端医药中间体", "吨"),
    ("原料药", "吨"),
    ("智能马桶", "万台"),
    ("智能缝制设备", "万台"),
    ("精密模具", "套"),
    ("高效节能水泵", "万台"),
    ("光学镜片", "万片"),
    ("新能源软磁材料", "吨"),
    ("塑料改性材料", "吨"),
    ("工业机器人", "台"),
)
QUANTITIES = (10, 20, 30, 50, 80, 100, 200, 300, 500, 1000, 2000)
ROADS = ("海城路", "和合大道", "开发大道", "市府大道", "东环大道", "洪家路", "椒江大道", "海虹大道", "疏港大道", "滨海路")
RIVERS = ("永宁河", "二塘河", "三才泾", "洪家场浦", "东官河", "葭沚泾")

TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    Category.INDUSTRIAL: (
        "{firm}年产{qty}{unit}{product}项目",
        "{firm}{product}智能化技术改造项目",
        "{place}小微企业园（{firm}）建设项目",
        "{firm}{product}扩产项目",
        "{place}标准厂房建设项目",
    ),
    Category.SERVICES: (
        "{place}商业综合体项目",
        "{place}数字贸易产业园项目",
        "{place}现代物流中心项目",
        "{place}酒店及配套项目",
        "{place}文化旅游综合体项目",
        "{firm}总部大楼项目",
    ),
    Category.INFRASTRUCTURE: (
        "{road}改造提升工程",
        "{road}（{place}段）新建工程",
        "{place}片区路网工程",
        "{river}综合整治工程",
        "{place}公共管廊工程",
        "{place}污水管网提升改造工程",
        "{place}公共停车场建设工程",
    ),
    Category.LIVELIHOOD: (
        "{place}安置房工程",
        "{place}中学迁建工程",
        "{place}小学新建工程",
        "{place}幼儿园新建工程",
        "{place}社区卫生服务中心工程",
        "{place}城中村改造项目",
        "{place}养老服务中心项目",
    ),
    Category.ENERGY: (
        "{place}分布式光伏发电项目",
        "110千伏{place}输变电工程",
        "{place}天然气储配站项目",
        "{place}集中供热管网工程",
        "{place}公共充电站建设项目",
        "{place}储能电站项目",
    ),
    Category.OTHER: (
        "{place}海洋牧场项目",
        "{place}现代农业产业园项目",
        "{place}未来社区建设项目",
        "{place}生态修复工程",
        "{place}应急物资储备库项目",
    ),
}
# Titles that only fit smaller projects (no 10亿元 kindergarten).
SMALL_PROJECT_MAX = 50_000
SMALL_PROJECT_PATTERNS = frozenset(
    {
        "{place}公共停车场建设工程",
        "{place}小学新建工程",
        "{place}幼儿园新建工程",
        "{place}社区卫生服务中心工程",
        "{place}养老服务中心项目",
        "{place}公共充电站建设项目",
        "{place}应急物资储备库项目",
    }
)
PHASES = ("", "", "", "", "（一期）", "（二期）", "（三期）")
STATE_OWNER = "台州市椒江区{place}建设发展有限公司"
PRIVATE_OWNER = "浙江{firm}{suffix}有限公司"
OWNER_SUFFIXES = ("科技", "实业", "控股", "制造", "新材料", "药业", "置业")

PLAN_STATEMENTS: dict[str, str] = {
    Stage.PREPARATORY: "年内完成项目前期工作，具备开工条件。",
    Stage.NEW_START: "计划{month}月开工建设，年内完成投资{annual}万元。",
    Stage.CONTINUING: "加快续建，年内完成投资{annual}万元。",
    Stage.COMPLETED: "计划{month}月竣工投用，年内完成投资{annual}万元。",
}

# --- Milestones --------------------------------------------------------------------------------

MILESTONE_TITLES: dict[str, str] = {
    MilestoneKind.APPROVAL: "取得可行性研究报告批复",
    MilestoneKind.LAND: "完成用地报批（土地摘牌）",
    MilestoneKind.PLANNING_PERMIT: "取得建设工程规划许可证",
    MilestoneKind.CONSTRUCTION_PERMIT: "取得建筑工程施工许可证",
    MilestoneKind.START: "开工建设",
    MilestoneKind.STATS_ENTRY: "纳入固定资产投资统计库（入库）",
    MilestoneKind.TOPPING_OUT: "主体结构结顶",
    MilestoneKind.COMPLETION: "竣工验收",
    MilestoneKind.OPERATION: "投入使用",
}
WORK_NODES = ("完成桩基施工", "完成地下室结构施工", "完成路基施工", "完成管网铺设", "完成设备安装", "完成幕墙施工")
YEAR_END_NODE = "完成年度形象进度"
EVIDENCE: dict[str, str] = {
    MilestoneKind.APPROVAL: "可研批复文件已上传。",
    MilestoneKind.LAND: "已签订国有建设用地使用权出让合同。",
    MilestoneKind.PLANNING_PERMIT: "已取得建设工程规划许可证。",
    MilestoneKind.CONSTRUCTION_PERMIT: "已取得施工许可证。",
    MilestoneKind.START: "现场已开工，开工照片已上传。",
    MilestoneKind.STATS_ENTRY: "已纳入统计库，统计局确认。",
    MilestoneKind.TOPPING_OUT: "主体结构已结顶。",
    MilestoneKind.COMPLETION: "已完成竣工验收备案。",
    MilestoneKind.OPERATION: "已投入使用。",
    MilestoneKind.OTHER: "节点已完成，现场核实。",
}

# --- Progress reports ---------------------------------------------------------------------------

# What the site is doing, from early to late in the year (picked by the share of the plan done).
PROGRESS_PHASES: dict[str, tuple[str, ...]] = {
    Stage.PREPARATORY: ("开展可研编制", "办理用地预审", "开展初步设计", "办理规划许可", "施工图审查", "开展施工招标"),
    Stage.NEW_START: ("开展施工前期准备", "场地平整", "桩基施工", "基础施工", "主体结构施工", "主体结构施工"),
    Stage.CONTINUING: ("主体结构施工", "地下室施工", "砌体施工", "装饰装修施工", "设备安装", "室外配套施工"),
    Stage.COMPLETED: ("装饰装修施工", "设备安装调试", "室外配套施工", "竣工验收准备", "竣工验收", "办理竣工结算"),
}
REPORT_PROBLEMS = (
    "受政策处理进度影响，施工进场滞后。",
    "项目资金到位不足，影响施工进度。",
    "土方外运受限，基础施工进度放缓。",
    "受连续降雨和台风影响，现场停工多日。",
    "施工图审查意见较多，设计调整耗时。",
    "施工单位人员和机械投入不足。",
    "用电增容尚未完成，设备无法调试。",
    "部分投资尚未入库，完成额未能纳统。",
    "招标流程延长，施工单位进场推迟。",
    "原材料价格上涨，业主单位放缓投资节奏。",
)
CORRECTION_REASON = "统计核查核减重复计入的投资额。"

# --- Blockers ------------------------------------------------------------------------------------

BLOCKER_TEXTS: dict[str, tuple[str, ...]] = {
    BlockerCategory.APPROVAL: ("施工许可办理滞后，消防设计审查尚未通过。", "可研批复未取得，初步设计无法报审。"),
    BlockerCategory.LAND: ("尚有{n}户房屋未完成征迁，影响施工进场。", "用地报批未获批，土地摘牌推迟。"),
    BlockerCategory.EARTHWORK: ("土方消纳场地不足，日均外运量受限。",),
    BlockerCategory.FUNDING: ("项目资金到位率仅{pct}%，工程款支付滞后。", "专项债券资金尚未下达。"),
    BlockerCategory.FACTORS: ("能耗指标尚未落实，项目无法开工。", "环评批复尚未取得。", "用电增容工程未完成。"),
    BlockerCategory.CONSTRUCTION: ("施工单位人员机械投入不足，现场组织混乱。", "交叉施工协调不畅，工序衔接不上。"),
    BlockerCategory.STATISTICS: ("项目已开工但尚未入库，投资无法纳统。", "统计台账不规范，入库资料不全。"),
    BlockerCategory.OTHER: ("设计方案调整，需重新报审。", "周边群众信访，施工时段受限。"),
}
# Real registers see far more land, funding and approval problems than statistics ones.
BLOCKER_WEIGHTS: dict[str, int] = {
    BlockerCategory.APPROVAL: 18,
    BlockerCategory.LAND: 22,
    BlockerCategory.EARTHWORK: 8,
    BlockerCategory.FUNDING: 18,
    BlockerCategory.FACTORS: 12,
    BlockerCategory.CONSTRUCTION: 10,
    BlockerCategory.STATISTICS: 6,
    BlockerCategory.OTHER: 6,
}
BLOCKER_MEASURES = (
    "区发改局牵头召开专题协调会，明确责任单位和完成时限。",
    "报请包干区领导协调，已列入区重大项目要素保障清单。",
    "责任单位倒排工期，每周报送进展。",
    "纳入区重大项目问题清单，实行挂号销号管理。",
)
