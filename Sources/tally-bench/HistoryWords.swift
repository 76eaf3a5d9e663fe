import TallySampleData
import TallySchema

/// The words of the generated history: people, companies, products, and what a telesales
/// team writes in follow-ups and commit messages. (TallySampleData keeps its vocabulary
/// internal; these lists follow it, and every value fits `schema/customer.yaml` and
/// `schema/staff.yaml`: enum values, lengths, phone and e-mail forms.)
enum HistoryWords {
  // MARK: People

  static let surnames: [(String, String)] = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"),
    ("魏", "wei"), ("苏", "su"), ("沈", "shen"), ("姚", "yao"), ("钱", "qian"), ("顾", "gu"),
    ("欧阳", "ouyang"),
  ]

  static let givenNames: [(String, String)] = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"),
    ("建国", "jianguo"), ("志强", "zhiqiang"), ("海燕", "haiyan"), ("晓东", "xiaodong"),
    ("丽华", "lihua"), ("文博", "wenbo"), ("子涵", "zihan"), ("雨桐", "yutong"), ("佳怡", "jiayi"),
    ("思远", "siyuan"), ("梦琪", "mengqi"), ("浩然", "haoran"), ("晨曦", "chenxi"), ("俊杰", "junjie"),
    ("欣怡", "xinyi"), ("家豪", "jiahao"), ("婷婷", "tingting"), ("志明", "zhiming"),
    ("春梅", "chunmei"), ("红霞", "hongxia"), ("建华", "jianhua"), ("亚楠", "yanan"), ("凯", "kai"),
    ("鹏", "peng"), ("琳", "lin"), ("倩", "qian"), ("瑶", "yao"), ("斌", "bin"), ("飞", "fei"),
    ("宇轩", "yuxuan"), ("诗涵", "shihan"), ("一鸣", "yiming"), ("立新", "lixin"), ("玉兰", "yulan"),
  ]

  /// A person's name and its pinyin (`王芳`, `wangfang`).
  static func person(_ rng: inout SplitMix64) -> (name: String, pinyin: String) {
    let surname = rng.pick(surnames)
    let given = rng.pick(givenNames)
    return (surname.0 + given.0, surname.1 + given.1)
  }

  static let mobilePrefixes = [
    "130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158",
    "159", "177", "180", "181", "186", "187", "188", "189", "199",
  ]

  /// An 11-digit mobile number.
  static func mobile(_ rng: inout SplitMix64) -> String {
    rng.pick(mobilePrefixes) + rng.digits(8)
  }

  static let contactTitles = [
    "总经理", "副总经理", "采购经理", "采购主管", "财务经理", "行政主管", "IT负责人", "信息部主任",
    "运营总监", "客服主管", "市场部经理", "总经理助理", "店长", "办公室主任",
  ]

  static let skills: [String: [String]] = [
    "manager": ["团队管理", "大客户谈判", "预算管理"],
    "supervisor": ["团队管理", "销售辅导", "数据分析"],
    "team_lead": ["团队管理", "电话销售", "产品演示", "销售辅导"],
    "sales_rep": ["电话销售", "产品演示", "客户关系维护", "商务谈判", "行业方案", "英语沟通"],
  ]

  // MARK: Companies

  static let cities: [(String, String)] = [
    ("上海", "sh"), ("杭州", "hz"), ("苏州", "sz"), ("南京", "nj"), ("无锡", "wx"), ("宁波", "nb"),
    ("合肥", "hf"), ("常州", "cz"), ("嘉兴", "jx"), ("绍兴", "sx"), ("温州", "wz"), ("南通", "nt"),
    ("扬州", "yz"), ("金华", "jh"), ("台州", "tz"), ("湖州", "huz"), ("徐州", "xz"), ("镇江", "zj"),
    ("芜湖", "wh"), ("昆山", "ks"),
  ]

  static let brandCharacters: [(String, String)] = [
    ("华", "hua"), ("信", "xin"), ("恒", "heng"), ("达", "da"), ("鼎", "ding"), ("盛", "sheng"),
    ("瑞", "rui"), ("丰", "feng"), ("金", "jin"), ("桥", "qiao"), ("宏", "hong"), ("远", "yuan"),
    ("新", "xin"), ("元", "yuan"), ("德", "de"), ("隆", "long"), ("永", "yong"), ("泰", "tai"),
    ("嘉", "jia"), ("禾", "he"), ("联", "lian"), ("创", "chuang"), ("博", "bo"), ("天", "tian"),
    ("成", "cheng"), ("海", "hai"), ("纳", "na"), ("正", "zheng"), ("邦", "bang"), ("易", "yi"),
    ("通", "tong"), ("安", "an"), ("明", "ming"), ("扬", "yang"), ("万", "wan"), ("富", "fu"),
    ("源", "yuan"), ("启", "qi"), ("航", "hang"), ("立", "li"), ("鑫", "xin"), ("汇", "hui"),
  ]

  /// What a company does, as its name says it, and the schema's industry.
  static let businesses: [(name: String, industry: String)] = [
    ("贸易", "trade"), ("进出口", "trade"), ("商贸", "trade"), ("百货", "retail"), ("超市", "retail"),
    ("服饰", "retail"), ("电子", "manufacturing"), ("机械", "manufacturing"), ("精密制造", "manufacturing"),
    ("新材料", "manufacturing"), ("汽车零部件", "manufacturing"), ("教育科技", "education"),
    ("职业培训", "education"), ("医疗器械", "healthcare"), ("医药", "healthcare"), ("投资管理", "finance"),
    ("融资租赁", "finance"), ("物流", "logistics"), ("供应链管理", "logistics"), ("网络科技", "internet"),
    ("信息技术", "internet"), ("软件", "internet"), ("置业", "real_estate"), ("物业管理", "real_estate"),
    ("餐饮管理", "catering"), ("食品", "catering"),
  ]

  static let companySuffixes = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]

  /// The number of distinct names `company(number:)` gives.
  static var companyCount: Int {
    cities.count * brandCharacters.count * (brandCharacters.count - 1) * businesses.count
  }

  /// Company `number`: no two numbers below `companyCount` give the same name (the number
  /// is scrambled by an odd multiplier, a bijection modulo the count, and read in mixed
  /// radix).
  static func company(number: Int, suffix: String) -> (name: String, industry: String, pinyin: String) {
    let m = companyCount
    var x = Int((UInt64(number % m) &* 2_654_435_761 &+ 97_531) % UInt64(m))
    let business = businesses[x % businesses.count]
    x /= businesses.count
    let city = cities[x % cities.count]
    x /= cities.count
    let n = brandCharacters.count
    let first = x % n
    x /= n
    var second = x % (n - 1)
    if second >= first { second += 1 }
    return (
      city.0 + brandCharacters[first].0 + brandCharacters[second].0 + business.name + suffix, business.industry,
      brandCharacters[first].1 + brandCharacters[second].1
    )
  }

  // MARK: Products and customers

  /// Products and their list prices in yuan.
  static let products: [(name: String, price: Int)] = [
    ("智能客服系统标准版", 12800), ("智能客服系统专业版", 25600), ("云呼叫中心坐席年费", 1980),
    ("智能外呼机器人", 9800), ("录音质检模块", 4600), ("CRM企业版年度订阅", 18800),
    ("短信通知包（10万条）", 4500), ("数据看板高级版", 6800), ("上门实施培训服务", 3000),
    ("工单系统扩展包", 5200),
  ]

  static let needs = [
    "客服团队 30 人左右，电话量大，希望上线智能分流。",
    "希望统一管理各门店的客户来电，减少漏接。",
    "现有系统无法导出通话录音，需要按月归档。",
    "销售团队二十多人，需要外呼和自动分配线索。",
    "关注数据安全，要求数据存放在境内机房。",
    "预算有限，优先考虑按坐席按月付费。",
    "希望和现有的 ERP 对接，同步订单和发货状态。",
    "多地分公司需要分别统计业绩。",
    "下半年计划扩招客服，需要培训和上线支持。",
    "对比过两家竞品，价格是主要考虑因素。",
  ]

  static let complaints = [
    "外呼线路高峰期经常掉线，影响销售工作", "发票抬头开错，需要重新开具", "录音文件偶尔无法播放",
    "技术支持响应慢，工单两天没人处理", "续费价格比去年上涨，客户不满意", "培训老师临时改期，没有提前通知",
    "系统升级后报表字段变化，数据对不上", "坐席账号频繁被锁定", "短信发送延迟严重，验证码收不到",
  ]

  static let churnReasons = [
    "选择了竞品，对方报价低 20%", "公司业务调整，不再需要外呼系统", "预算被砍，项目取消",
    "联系人离职，新负责人无意向", "公司经营困难，停止合作", "对售后服务不满意，合同到期不续约",
    "总部统一采购，分公司不再单独采购", "多次联系无意向",
  ]

  static let noInterestReasons = ["暂无需求", "已有供应商", "预算不足", "老板不同意", "明年再考虑"]

  static let pitches = [
    "智能客服系统标准版", "智能客服系统专业版", "云呼叫中心", "智能外呼机器人", "录音质检模块", "CRM企业版",
  ]

  // MARK: Follow-up summaries ({c} contact, {p} product, {d} weekday of the next call, {r} reason)

  static let noAnswer = [
    "电话无人接听，已发短信说明来意", "{c}未接电话，{d}再打", "拨打两次均未接通，稍后再联系",
    "对方一直占线，改天再打", "总机转接后无人接听",
  ]
  static let interested: [String: [String]] = [
    "lead": [
      "首次电话联系{c}，介绍{p}，对方有兴趣，约了{d}线上演示", "{c}对{p}比较感兴趣，已发送产品资料",
      "加了{c}的微信，发送同行业案例，对方说会和老板商量", "{c}主动询问{p}的价格，已发报价区间",
    ],
    "prospect": [
      "线上演示{p}，{c}和IT负责人参加，反馈良好", "发送正式报价单（{p}），等待对方审批",
      "{c}希望价格再优惠一些，答应申请九五折", "{c}要求试用两周，已开通试用账号",
    ],
    "active": [
      "回访使用情况，{c}反馈系统稳定，计划增加坐席", "了解续费意向，{c}对{p}有兴趣",
      "{c}反馈客服效率提升明显，愿意做案例",
    ],
    "dormant": ["沉睡客户回访，{c}说下季度可能有新需求", "给{c}发了新版本介绍，对方说{d}再看"],
    "churned": ["老客户回访，{c}说对现在的供应商不满意，愿意重新了解", "流失客户回访，{c}有兴趣了解新版本"],
  ]
  static let callback: [String: [String]] = [
    "lead": ["{c}在开会，约定{d}再联系", "{c}说要先问问IT部门，{d}回复", "对方让先发资料，{d}再电话沟通"],
    "prospect": ["{c}说预算还在审批，{d}再跟进", "对方在比价，{d}再沟通报价", "{c}出差，约{d}回来再谈"],
    "active": ["季度回访，{c}说下月讨论续费，{d}再联系", "{c}让把新版本资料发过去，{d}再沟通"],
    "dormant": ["近三个月没有新订单，电话了解情况，{c}说业务量下降", "{c}说{d}开会讨论是否恢复采购"],
    "churned": ["{c}说可以先看看资料，{d}再联系"],
  ]
  static let notInterested = ["{c}表示{r}，暂不考虑", "{c}说{r}，半年后再联系", "对方明确拒绝：{r}"]
  static let ordered = [
    "合同已签，{c}确认采购{p}，金额{a}元", "{c}确认下单{p}，财务已付款，安排实施", "{c}续购{p}，金额{a}元",
  ]
  static let complaint = ["{c}来电反映{i}，已登记投诉并转技术支持", "{c}在微信上投诉{i}，已登记并安排处理"]
}
