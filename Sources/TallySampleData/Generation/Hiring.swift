import TallySchema

/// New staff members for a team: each with a name, an e-mail address and a phone number that
/// no one else hired here has, and a few skills of their role.
struct Hiring {
  private var names: Set<String> = []
  private var emails: Set<String> = []
  private var phones: Set<String> = []

  /// Staff member `number` (`S-0012` for 12), not yet with a team code, trainings or reviews.
  mutating func newMember(
    number: Int, role: String, team: String, reportsTo: String?, joined: CivilDate, rng: inout SplitMix64
  ) -> StaffMember {
    var person = Vocabulary.person(&rng)
    while names.contains(person.name) { person = Vocabulary.person(&rng) }
    names.insert(person.name)
    var email = "\(person.pinyin)@huadong.example"
    var suffix = 2
    while emails.contains(email) {
      email = "\(person.pinyin)\(suffix)@huadong.example"
      suffix += 1
    }
    emails.insert(email)
    var phone = Vocabulary.mobile(&rng)
    while phones.contains(phone) { phone = Vocabulary.mobile(&rng) }
    phones.insert(phone)
    var member = StaffMember(
      id: StaffMember.id(number: number), name: person.name,
      pinyin: person.pinyin, role: role, team: team, reportsTo: reportsTo, email: email, phone: phone, joined: joined)
    member.skills = rng.distinct(rng.int(in: 1...3), of: Vocabulary.skills[role] ?? [])
    return member
  }

}
