import TallySampleData
import TallySchema

/// Generates customer records like the ones a Chinese telesales team keeps: English keys,
/// mostly Chinese values, nested lists, a literal block, a flow list and a few comments,
/// written in canonical form (2-space indentation, `- key: value` compact items).
///
/// Every record has its own generator seeded from the corpus seed and its number, so a
/// record's text does not depend on the records before it.
struct CustomerGenerator {
  let seed: UInt64
  /// Records are between these sizes in bytes (2–6 KiB).
  static let minSize = 2 * 1024
  static let maxSize = 6 * 1024

  /// Keys whose values a schema would type (dates, amounts, counts): the canonical printer
  /// writes them plain, as the generator does.
  static let typedKeys: Set<String> = [
    "created", "date", "next_contact", "resolved_on", "amount", "quantity",
  ]

  /// The id of record `number` (1-based): `C-00042`.
  static func id(_ number: Int) -> String {
    let digits = String(number)
    return "C-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
  }

  /// The text of record `number`.
  func record(number: Int) -> String {
    var rng = SplitMix64(seed: seed ^ (UInt64(number) &* 0xD1B5_4A32_D192_ED03))
    _ = rng.next()
    return Record(number: number, rng: &rng).text
  }
}

extension CustomerGenerator {
  /// One record being built: the head (scalars, address, contacts, needs, tags) and the
  /// list items, each kept as text so the size can be steered item by item.
  fileprivate struct Record {
    var head = ""
    var followUps: [String] = []
    /// Orders and complaints with their day, printed oldest first.
    var orders: [(day: Int, text: String)] = []
    var complaints: [(day: Int, text: String)] = []
    var emptyComplaintsList = false
    /// The bytes of the list items so far.
    var itemBytes = 0
    let ownerID: String
    let contactNames: [String]
    let created: CivilDate

    init(number: Int, rng: inout SplitMix64) {
      let id = CustomerGenerator.id(number)
      let (city, districts) = rng.pick(Pool.cities)
      let brand = rng.pick(Pool.brands)
      let business = rng.pick(Pool.businesses)
      let name = String(city.dropLast()) + brand.name + business.name + rng.pick(Pool.companySuffixes)
      ownerID = "S-0" + String(100 + rng.below(120))
      created = CivilDate(year: 2024, month: 1, day: 1).adding(days: rng.below(540))
      let status = rng.pick(Pool.statuses)

      var h = ""
      h += "# 客户档案 \(id) · 负责人 \(ownerID)\n"
      h += "# 修改后请先运行 tally check，再提交\n"
      h += "\n"
      h += "id: \(id)\n"
      h += "name: \(name)\n"
      h += "industry: \(business.industry)\n"
      h += "scale: \(rng.pick(Pool.scales))\n"
      h += "tier: \(rng.pick(["A", "B", "B", "C", "C", "C"]))\n"
      h += "status: \(status)"
      if status == "dormant" { h += " # 超过 90 天未联系" }
      h += "\n"
      h += "owner: \(ownerID)\n"
      h += "source: \(rng.pick(Pool.sources))\n"
      if rng.chance(60) {
        h += "phone: '\(Pool.areaCodes[city] ?? "021")\(rng.digits(8))'\n"
      } else {
        h += "phone: '\(Self.mobile(&rng))'\n"
      }
      h += "email: \(rng.pick(Pool.mailboxes))@\(brand.pinyin)-\(business.pinyin).com.cn\n"
      h += "created: \(created)\n"
      h += "address:\n"
      h += "  city: \(city)\n"
      h += "  district: \(rng.pick(districts))\n"
      h += "  street: \(Self.street(&rng))\n"
      h += "  postcode: '\(rng.pick(Pool.postcodePrefixes[city] ?? ["200"]))\(rng.digits(3))'\n"

      var names: [String] = []
      h += "contacts:\n"
      for index in 0..<rng.int(in: 1...3) {
        let person = rng.pick(Pool.surnames) + rng.pick(Pool.givenNames)
        names.append(person)
        h += "  - name: \(person)\n"
        h += "    title: \(rng.pick(Pool.titles))\n"
        h += "    phone: '\(Self.mobile(&rng))'\n"
        if rng.chance(40) {
          h += "    wechat: \(rng.pick(Pool.mailboxes))_\(rng.digits(4))\n"
        }
        if index == 0 && rng.chance(50) {
          h += "    note: 关键决策人，\(rng.pick(Pool.contactNotes))\n"
        }
      }
      contactNames = names

      h += "needs: |\n"
      for line in rng.distinct(rng.int(in: 2...4), of: Pool.needs) {
        h += "  \(line)\n"
      }
      h += "tags: [\(rng.distinct(rng.int(in: 1...4), of: Pool.tags).joined(separator: ", "))]\n"
      head = h
      emptyComplaintsList = rng.chance(30)

      // Add list items until the record reaches its target size.
      let target = rng.int(in: (CustomerGenerator.minSize + 300)...(CustomerGenerator.maxSize - 500))
      var lastFollowUp = created.adding(days: rng.int(in: 1...10))
      while size < target {
        let roll = rng.below(100)
        if roll < 62 && followUps.count < 24 {
          lastFollowUp = lastFollowUp.adding(days: rng.int(in: 1...21))
          followUps.append(followUp(date: lastFollowUp, rng: &rng))
          itemBytes += followUps.last!.utf8.count
        } else if roll < 88 && orders.count < 10 {
          orders.append(order(rng: &rng))
          itemBytes += orders.last!.text.utf8.count
        } else if complaints.count < 4 {
          complaints.append(complaint(rng: &rng))
          itemBytes += complaints.last!.text.utf8.count
        } else if followUps.count >= 24 && orders.count >= 10 {
          break
        }
      }
      if followUps.isEmpty {
        followUps.append(followUp(date: lastFollowUp, rng: &rng))
      }
      orders.sort { $0.day < $1.day }
      complaints.sort { $0.day < $1.day }
    }

    static let followUpsHeader = "\n# 跟进记录，按日期排列，最新的在最后\nfollow_ups:\n"

    /// The size of `text`, without building it.
    var size: Int {
      var n = head.utf8.count + Self.followUpsHeader.utf8.count + itemBytes
      if !orders.isEmpty { n += "orders:\n".utf8.count }
      if !complaints.isEmpty {
        n += "complaints:\n".utf8.count
      } else if emptyComplaintsList {
        n += "complaints: []\n".utf8.count
      }
      return n
    }

    var text: String {
      var t = head
      t += Self.followUpsHeader
      for item in followUps { t += item }
      if !orders.isEmpty {
        t += "orders:\n"
        for item in orders { t += item.text }
      }
      if !complaints.isEmpty {
        t += "complaints:\n"
        for item in complaints { t += item.text }
      } else if emptyComplaintsList {
        t += "complaints: []\n"
      }
      return t
    }

    func followUp(date: CivilDate, rng: inout SplitMix64) -> String {
      let person = rng.pick(contactNames)
      let product = rng.pick(Pool.products).name
      var summary = rng.pick(Pool.followUpSummaries)
      summary = summary.replacing("{name}", with: person).replacing("{product}", with: product)
      var t = ""
      if rng.chance(4) { t += "  # 以下一条由主管抽查时补录\n" }
      t += "  - date: \(date)\n"
      t += "    by: \(rng.chance(85) ? ownerID : "S-0" + String(100 + rng.below(120)))\n"
      t += "    channel: \(rng.pick(Pool.channels))\n"
      if rng.chance(8) {
        // A summary with ": " must be quoted.
        t += "    summary: '\(summary)报价单编号: Q-\(date.description.prefix(4))-\(rng.digits(4))'\n"
      } else {
        t += "    summary: \(summary)\n"
      }
      t += "    outcome: \(rng.pick(Pool.outcomes))\n"
      if rng.chance(55) {
        t += "    next_contact: \(date.adding(days: rng.int(in: 2...14)))\n"
      }
      return t
    }

    func order(rng: inout SplitMix64) -> (day: Int, text: String) {
      let product = rng.pick(Pool.products)
      let quantity = product.unitPrice < 1000 ? rng.int(in: 5...60) : rng.int(in: 1...12)
      let cents = rng.chance(80) ? 0 : rng.below(100)
      let amount = product.unitPrice * quantity
      let date = Self.clamped(created.adding(days: rng.int(in: 10...800)))
      var t = ""
      t += "  - date: \(date)\n"
      t += "    product: \(product.name)\n"
      t += "    quantity: \(quantity)\n"
      t += "    amount: \(amount).\(cents < 10 ? "0" : "")\(cents)"
      if rng.chance(30) { t += " # 含税" }
      t += "\n"
      t += "    invoice: INV-\(date.description.prefix(4))-\(rng.digits(5))\n"
      return (date.dayNumber, t)
    }

    func complaint(rng: inout SplitMix64) -> (day: Int, text: String) {
      let date = Self.clamped(created.adding(days: rng.int(in: 30...800)))
      var t = ""
      t += "  - date: \(date)\n"
      t += "    summary: \(rng.pick(Pool.complaints))\n"
      let severity = rng.pick(["low", "medium", "medium", "high"])
      if rng.chance(70) {
        t += "    severity: \(severity)\n"
        t += "    resolved_on: \(min(date.adding(days: rng.int(in: 0...12)), Self.today))\n"
      } else {
        t += "    severity: \(severity) # 尚未解决，主管跟进中\n"
      }
      return (date.dayNumber, t)
    }

    /// Records are written as of this day: nothing after it.
    static let today = CivilDate(year: 2026, month: 3, day: 31)

    /// `date`, or a day in the last three months when it would be after `today`.
    static func clamped(_ date: CivilDate) -> CivilDate {
      date <= today ? date : today.adding(days: -(date.dayNumber % 90))
    }

    static func mobile(_ rng: inout SplitMix64) -> String {
      rng.pick(["130", "133", "135", "136", "138", "139", "150", "158", "177", "186", "189"])
        + rng.digits(8)
    }

    static func street(_ rng: inout SplitMix64) -> String {
      var s = rng.pick(Pool.streets) + String(rng.int(in: 1...2999)) + "号"
      switch rng.below(3) {
      case 0:
        s +=
          String(rng.int(in: 1...12)) + "栋" + String(rng.int(in: 1...28)) + "0"
          + String(rng.int(in: 1...9)) + "室"
      case 1: s += String(rng.int(in: 1...30)) + "楼"
      default: s += rng.pick(["大厦", "科技园", "商务中心", "创意园"]) + String(rng.int(in: 1...9)) + "层"
      }
      return s
    }
  }
}

/// The words records are made of.
private enum Pool {
  static let cities: [(String, [String])] = [
    ("上海市", ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区", "长宁区"]),
    ("北京市", ["朝阳区", "海淀区", "东城区", "丰台区", "通州区", "西城区"]),
    ("广州市", ["天河区", "越秀区", "番禺区", "白云区", "海珠区"]),
    ("深圳市", ["南山区", "福田区", "宝安区", "龙岗区", "罗湖区"]),
    ("杭州市", ["西湖区", "滨江区", "余杭区", "拱墅区", "萧山区"]),
    ("南京市", ["鼓楼区", "玄武区", "江宁区", "建邺区", "秦淮区"]),
    ("成都市", ["武侯区", "高新区", "锦江区", "青羊区", "成华区"]),
    ("武汉市", ["江汉区", "洪山区", "武昌区", "江岸区", "东湖高新区"]),
    ("苏州市", ["工业园区", "姑苏区", "吴中区", "相城区", "虎丘区"]),
    ("西安市", ["雁塔区", "碑林区", "未央区", "新城区", "长安区"]),
  ]
  static let areaCodes: [String: String] = [
    "上海市": "021", "北京市": "010", "广州市": "020", "深圳市": "0755", "杭州市": "0571",
    "南京市": "025", "成都市": "028", "武汉市": "027", "苏州市": "0512", "西安市": "029",
  ]
  static let postcodePrefixes: [String: [String]] = [
    "上海市": ["200", "201"], "北京市": ["100", "101"], "广州市": ["510", "511"],
    "深圳市": ["518"], "杭州市": ["310", "311"], "南京市": ["210", "211"],
    "成都市": ["610"], "武汉市": ["430"], "苏州市": ["215"], "西安市": ["710"],
  ]
  static let brands: [(name: String, pinyin: String)] = [
    ("华信", "huaxin"), ("恒达", "hengda"), ("鼎盛", "dingsheng"), ("瑞丰", "ruifeng"),
    ("金桥", "jinqiao"), ("宏远", "hongyuan"), ("新元", "xinyuan"), ("盛世", "shengshi"),
    ("德隆", "delong"), ("永泰", "yongtai"), ("嘉禾", "jiahe"), ("联创", "lianchuang"),
    ("中科", "zhongke"), ("博远", "boyuan"), ("天成", "tiancheng"), ("海纳", "haina"),
    ("正邦", "zhengbang"), ("易通", "yitong"), ("安泰", "antai"), ("明扬", "mingyang"),
    ("万嘉", "wanjia"), ("富源", "fuyuan"), ("启航", "qihang"), ("立信", "lixin"),
  ]
  static let businesses: [(name: String, pinyin: String, industry: String)] = [
    ("贸易", "trade", "批发零售"), ("科技", "tech", "信息技术"), ("电子", "elec", "制造业"),
    ("物流", "logistics", "物流运输"), ("食品", "food", "食品饮料"),
    ("医疗器械", "medical", "医疗健康"), ("建材", "bm", "建筑工程"), ("服饰", "fashion", "批发零售"),
    ("软件", "soft", "信息技术"), ("餐饮管理", "catering", "餐饮"),
    ("教育咨询", "edu", "教育培训"), ("汽车服务", "auto", "汽车后市场"),
    ("环保设备", "env", "制造业"), ("化工", "chem", "化工"), ("置业", "estate", "房地产"),
    ("保险代理", "ins", "金融服务"),
  ]
  static let companySuffixes = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
  static let scales = ["1-20人", "20-99人", "100-499人", "500-999人", "1000人以上"]
  static let statuses = ["lead", "prospect", "prospect", "active", "active", "active", "dormant", "churned"]
  static let sources = ["电话营销", "官网咨询", "展会", "老客户推荐", "搜索推广", "微信公众号", "地推", "合作伙伴"]
  static let mailboxes = ["service", "contact", "info", "purchase", "admin", "sales", "hr", "finance"]
  static let streets = [
    "张江路", "人民路", "中山路", "解放路", "建设路", "科技园路", "长江路", "和平路", "新华路",
    "文化路", "南京路", "淮海路", "延安路", "天府大道", "光谷大道", "软件园路",
  ]
  static let surnames = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "欧阳", "司马",
  ]
  static let givenNames = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "建国", "志强", "海燕", "晓东", "丽华", "文博", "子涵", "雨桐", "国庆", "佳怡",
  ]
  static let titles = [
    "总经理", "副总经理", "采购经理", "采购专员", "财务主管", "行政主管", "IT负责人", "运营总监",
    "市场部经理", "客服主管", "董事长助理",
  ]
  static let contactNotes = [
    "周二下午方便接电话", "习惯用微信沟通", "不接受上午来电", "对价格比较敏感", "需要书面材料",
  ]
  static let needs = [
    "希望统一管理各门店的客户电话，减少漏接。",
    "现有系统无法导出通话录音，需要支持按月归档。",
    "销售团队约三十人，需要外呼和自动分配线索。",
    "关注数据安全，要求服务器部署在境内。",
    "预算有限，优先考虑按坐席按月付费的方案。",
    "希望和现有的 ERP 系统对接，同步订单和发货状态。",
    "需要支持多地分公司分别统计业绩。",
    "老板重视客户满意度，希望每通电话都有回访记录。",
    "计划下半年扩招客服，需要培训材料和上线支持。",
    "对比过两家竞品，价格是主要考虑因素。",
    "需要发票按季度开具，财务流程比较严格。",
    "希望周末也能有技术支持响应。",
  ]
  static let tags = [
    "重点", "续约", "价格敏感", "大客户", "新签", "需回访", "决策慢", "有竞品", "转介绍", "政府项目",
    "连锁门店",
  ]
  static let channels = ["phone", "phone", "phone", "email", "wechat", "wechat", "visit", "sms"]
  static let followUpSummaries = [
    "与{name}电话沟通，对方确认下季度有扩容计划，希望先看报价。",
    "{name}未接电话，已发短信说明来意，约定明天上午再联系。",
    "上门拜访{name}，演示了外呼和录音质检功能，对方反馈良好。",
    "通过微信发送了产品资料和同行业案例，{name}表示需要和老板商量。",
    "{name}反馈目前合同还没到期，续约要等到年底再谈。",
    "电话回访使用情况，{name}提出报表导出速度偏慢，已记录并转技术支持。",
    "发送正式报价单，含{product}和三年维保，等待对方审批。",
    "{name}询问能否试用两周，已申请试用账号并发送登录方式。",
    "对方采购流程调整，{name}说需要重新走招标，时间待定。",
    "确认了{product}的发货地址和开票信息，合同已寄出。",
    "客户提到竞品报价更低，{name}希望我们给出更有力的折扣。",
    "节日问候，顺便了解近况，{name}说最近业务量增长明显。",
    "已发邮件，主题“{product}报价”，请{name}查收并回复。",
  ]
  static let outcomes = [
    "有意向", "待跟进", "已报价", "无人接听", "暂无需求", "已成交", "需再联系", "已转技术支持",
  ]
  static let products: [(name: String, unitPrice: Int)] = [
    ("云呼叫中心 标准版 年费", 12800), ("云呼叫中心 专业版 年费", 25600),
    ("智能外呼机器人", 9800), ("录音质检模块", 4600), ("CRM 企业版 年度订阅", 18800),
    ("坐席耳机套装", 380), ("号码认证服务", 1200), ("短信通知包 10万条", 4500),
    ("数据看板 高级版", 6800), ("上门培训服务", 3000), ("坐席授权", 680),
  ]
  static let complaints = [
    "外呼线路高峰期经常掉线，影响销售工作。",
    "发票抬头开错，需要重新开具。",
    "录音文件偶尔无法播放，客户比较着急。",
    "技术支持响应慢，工单两天没人处理。",
    "续费价格比去年上涨，客户不满意。",
    "培训老师临时改期，未提前通知。",
    "系统升级后报表字段变化，财务对不上数。",
  ]
}
