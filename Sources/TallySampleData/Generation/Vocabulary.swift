/// The words the sample records are made of: Chinese names with their pinyin, East China
/// companies, products, and what telesales people write.
enum Vocabulary {
  // MARK: People

  static let surnames: [(String, String)] = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"),
    ("袁", "yuan"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"), ("叶", "ye"),
    ("程", "cheng"), ("魏", "wei"), ("苏", "su"), ("吕", "lv"), ("丁", "ding"), ("沈", "shen"),
    ("任", "ren"), ("姚", "yao"), ("卢", "lu"), ("钱", "qian"), ("顾", "gu"), ("陆", "lu"),
    ("欧阳", "ouyang"), ("诸葛", "zhuge"),
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
    ("国栋", "guodong"), ("晓燕", "xiaoyan"), ("嘉欣", "jiaxin"), ("振华", "zhenhua"),
    ("慧敏", "huimin"), ("文静", "wenjing"), ("少华", "shaohua"), ("永强", "yongqiang"),
    ("雪梅", "xuemei"), ("志刚", "zhigang"), ("美玲", "meiling"), ("天宇", "tianyu"),
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

  /// The team of every sample: the East China telesales centre.
  static let centre = "华东销售中心"

  /// What people of each role list as their skills.
  static let skills: [String: [String]] = [
    "manager": ["团队管理", "大客户谈判", "预算管理", "商务谈判"],
    "supervisor": ["团队管理", "销售辅导", "数据分析", "大客户谈判"],
    "team_lead": ["团队管理", "电话销售", "产品演示", "销售辅导", "报价谈判"],
    "sales_rep": ["电话销售", "产品演示", "客户关系维护", "商务谈判", "招投标", "英语沟通", "行业方案"],
    "cs_rep": ["投诉处理", "售后服务", "客户回访", "工单管理", "电话沟通"],
  ]

  static let contactTitles = [
    "总经理", "副总经理", "采购经理", "采购主管", "采购专员", "财务经理", "行政主管", "IT负责人",
    "信息部主任", "运营总监", "客服主管", "市场部经理", "总经理助理", "店长", "办公室主任",
  ]

  // MARK: Companies

  /// East China cities, as they start a company name, with their pinyin.
  static let cities: [(String, String)] = [
    ("上海", "sh"), ("杭州", "hz"), ("苏州", "sz"), ("南京", "nj"), ("无锡", "wx"), ("宁波", "nb"),
    ("合肥", "hf"), ("常州", "cz"), ("嘉兴", "jx"), ("绍兴", "sx"), ("温州", "wz"), ("南通", "nt"),
    ("扬州", "yz"), ("金华", "jh"), ("台州", "tz"), ("湖州", "huz"), ("徐州", "xz"), ("镇江", "zj"),
    ("芜湖", "wh"), ("昆山", "ks"),
  ]

  /// Characters company brand names are made of, with their pinyin.
  static let brandCharacters: [(String, String)] = [
    ("华", "hua"), ("信", "xin"), ("恒", "heng"), ("达", "da"), ("鼎", "ding"), ("盛", "sheng"),
    ("瑞", "rui"), ("丰", "feng"), ("金", "jin"), ("桥", "qiao"), ("宏", "hong"), ("远", "yuan"),
    ("新", "xin"), ("元", "yuan"), ("德", "de"), ("隆", "long"), ("永", "yong"), ("泰", "tai"),
    ("嘉", "jia"), ("禾", "he"), ("联", "lian"), ("创", "chuang"), ("博", "bo"), ("天", "tian"),
    ("成", "cheng"), ("海", "hai"), ("纳", "na"), ("正", "zheng"), ("邦", "bang"), ("易", "yi"),
    ("通", "tong"), ("安", "an"), ("明", "ming"), ("扬", "yang"), ("万", "wan"), ("富", "fu"),
    ("源", "yuan"), ("启", "qi"), ("航", "hang"), ("立", "li"), ("鑫", "xin"), ("汇", "hui"),
    ("东", "dong"), ("方", "fang"), ("光", "guang"), ("辉", "hui"), ("锦", "jin"), ("弘", "hong"),
    ("运", "yun"), ("升", "sheng"), ("和", "he"), ("润", "run"), ("康", "kang"), ("美", "mei"),
    ("佳", "jia"), ("腾", "teng"), ("科", "ke"), ("豪", "hao"), ("晟", "sheng"), ("卓", "zhuo"),
  ]

  /// What a company does, as its name says it, and the schema's industry.
  static let businesses: [(name: String, industry: String)] = [
    ("贸易", "trade"), ("进出口", "trade"), ("国际贸易", "trade"), ("商贸", "trade"),
    ("百货", "retail"), ("超市", "retail"), ("服饰", "retail"), ("家居用品", "retail"),
    ("电子", "manufacturing"), ("机械", "manufacturing"), ("精密制造", "manufacturing"),
    ("新材料", "manufacturing"), ("汽车零部件", "manufacturing"), ("纺织", "manufacturing"),
    ("教育科技", "education"), ("教育咨询", "education"), ("职业培训", "education"),
    ("医疗器械", "healthcare"), ("医药", "healthcare"), ("健康管理", "healthcare"),
    ("投资管理", "finance"), ("融资租赁", "finance"), ("保险代理", "finance"),
    ("物流", "logistics"), ("供应链管理", "logistics"), ("货运代理", "logistics"),
    ("网络科技", "internet"), ("信息技术", "internet"), ("软件", "internet"),
    ("置业", "real_estate"), ("房地产开发", "real_estate"), ("物业管理", "real_estate"),
    ("餐饮管理", "catering"), ("酒店管理", "catering"), ("食品", "catering"),
  ]

  static let companySuffixes = ["有限公司", "有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]

  /// The number of distinct (city, brand, business) combinations `company(number:)` names.
  static var companyCombinations: Int {
    cities.count * brandCharacters.count * (brandCharacters.count - 1) * businesses.count
  }

  /// Company `number` of a sequence in which no two numbers below `companyCombinations` give
  /// the same name: the number is scrambled by an odd multiplier (a bijection modulo the
  /// count) and read in mixed radix.
  static func company(number: Int, suffix: String) -> Company {
    let m = companyCombinations
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
    let brand = (
      brandCharacters[first].0 + brandCharacters[second].0, brandCharacters[first].1 + brandCharacters[second].1
    )
    return Company(
      name: city.0 + brand.0 + business.name + suffix, industry: business.industry, brandPinyin: brand.1,
      cityPinyin: city.1)
  }

  struct Company {
    var name: String
    var industry: String
    var brandPinyin: String
    var cityPinyin: String
  }

  // MARK: Products

  static let products: [(name: String, price: Int)] = [
    ("智能客服系统标准版", 12800), ("智能客服系统专业版", 25600), ("云呼叫中心坐席年费", 1980),
    ("智能外呼机器人", 9800), ("录音质检模块", 4600), ("CRM企业版年度订阅", 18800),
    ("短信通知包（10万条）", 4500), ("数据看板高级版", 6800), ("上门实施培训服务", 3000),
    ("工单系统扩展包", 5200),
  ]

  // MARK: Customers

  static let needs = [
    "客服团队 30 人左右，电话量大，希望上线智能分流。",
    "希望统一管理各门店的客户来电，减少漏接。",
    "现有系统无法导出通话录音，需要按月归档。",
    "销售团队二十多人，需要外呼和自动分配线索。",
    "关注数据安全，要求数据存放在境内机房。",
    "预算有限，优先考虑按坐席按月付费。",
    "希望和现有的 ERP 对接，同步订单和发货状态。",
    "多地分公司需要分别统计业绩。",
    "老板重视客户满意度，希望每通电话都有回访记录。",
    "下半年计划扩招客服，需要培训和上线支持。",
    "对比过两家竞品，价格是主要考虑因素。",
    "发票要求按季度开具，财务流程比较严格。",
    "希望周末也有技术支持响应。",
    "旺季来电量翻倍，需要弹性扩容坐席。",
  ]

  static let complaintSummaries = [
    "外呼线路高峰期经常掉线，影响销售工作",
    "发票抬头开错，需要重新开具",
    "录音文件偶尔无法播放",
    "技术支持响应慢，工单两天没人处理",
    "续费价格比去年上涨，客户不满意",
    "培训老师临时改期，没有提前通知",
    "系统升级后报表字段变化，数据对不上",
    "坐席账号频繁被锁定",
    "短信发送延迟严重，验证码收不到",
    "实施工程师上门迟到，客户有意见",
  ]

  static let churnReasons = [
    "选择了竞品，对方报价低 20%", "公司业务调整，不再需要外呼系统", "预算被砍，项目取消",
    "联系人离职，新负责人无意向", "公司经营困难，停止合作", "对售后服务不满意，合同到期不续约",
    "总部统一采购，分公司不再单独采购",
  ]

  static let noInterestReasons = ["暂无需求", "已有供应商", "预算不足", "老板不同意", "明年再考虑"]

  static let weekdaysChinese = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"]

  // MARK: Meetings

  static let weeklyAgenda = [
    "上周业绩回顾", "重点客户跟进", "新线索分配", "投诉处理情况", "本月目标进度", "意向客户推进",
    "沉睡客户唤醒", "话术分享", "报价审批流程",
  ]

  static let genericDecisions = [
    "本周重点跟进 A 类客户的续费和增购",
    "新线索 48 小时内必须首次联系",
    "报价超过九折需组长审批",
    "每天下午 2 点到 4 点集中外呼",
    "沉睡客户每人每周至少回访 3 家",
    "周五下班前更新本周跟进记录",
    "投诉客户由客服先回访，销售随后跟进",
    "演示统一使用新版演示账号",
  ]

  static let monthlyDecisions = [
    "下月重点推广智能外呼机器人",
    "各组月底前完成沉睡客户梳理",
    "大客户报价统一由主管审批",
    "新人入职第一个月只跟进线索，不单独报价",
    "客服和销售每周对一次投诉清单",
  ]
}
