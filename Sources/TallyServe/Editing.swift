import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension TallyServer {
  /// Who a request is, for `--allow propose|commit` (docs/serve-editing.md).
  public struct Identity: Sendable {
    /// `--dev-user`: every request is this person (a staff id or identity).
    public var devUser: String?
    /// `--user-header`: the header a single-sign-on reverse proxy sets to the signed-in
    /// person's login or e-mail address.
    public var userHeader: String?
    /// `--trusted-proxy`: the addresses whose `userHeader` is believed.
    public var trustedProxies: [Network] = []

    public init(devUser: String? = nil, userHeader: String? = nil, trustedProxies: [Network] = []) {
      self.devUser = devUser
      self.userHeader = userHeader
      self.trustedProxies = trustedProxies
    }

    /// Whether `text` can be an HTTP header's name.
    public static func isHeaderName(_ text: String) -> Bool { HTTPField.Name(text) != nil }

    /// Whether any way of signing in is set.
    public var isConfigured: Bool { devUser != nil || userHeader != nil }

    /// The name the request is signed in as (not yet looked up among the staff), nil when
    /// it is anonymous. The header counts only from a trusted proxy's address.
    func name(of request: Request, from address: SocketAddress?) -> String? {
      if let devUser { return devUser }
      guard let userHeader, let field = HTTPField.Name(userHeader), let address = address?.ipAddress,
        trustedProxies.contains(where: { $0.contains(address) })
      else { return nil }
      let value = request.headers[field]?.trimmingCharacters(in: .whitespaces) ?? ""
      return value.isEmpty ? nil : value
    }
  }

  /// An IPv4 or IPv6 network, `10.0.0.0/8`, `::1/128`, or one address.
  public struct Network: Sendable, Hashable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefix: Int

    /// Parses `address[/prefix]`; nil when it is not one.
    public init?(_ text: String) {
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count <= 2, let bytes = Self.address(String(parts[0])) else { return nil }
      let bits = bytes.count * 8
      var prefix = bits
      if parts.count == 2 {
        guard let given = Int(parts[1]), (0...bits).contains(given) else { return nil }
        prefix = given
      }
      self.bytes = bytes
      self.prefix = prefix
    }

    public var description: String {
      let family = bytes.count == 4 ? AF_INET : AF_INET6
      var buffer = [CChar](repeating: 0, count: 64)
      _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, 64) }
      return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/\(prefix)"
    }

    /// The 4 or 16 bytes of an address (an IPv4-mapped IPv6 address as its IPv4 one).
    static func address(_ text: String) -> [UInt8]? {
      var v4 = in_addr()
      if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
      var v6 = in6_addr()
      guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
      let bytes = withUnsafeBytes(of: &v6) { Array($0) }
      if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
        return Array(bytes.suffix(4))
      }
      return bytes
    }

    /// Whether the address `text` is in this network.
    public func contains(_ text: String) -> Bool {
      guard let other = Self.address(text), other.count == bytes.count else { return false }
      var left = prefix
      for (a, b) in zip(bytes, other) {
        if left <= 0 { return true }
        let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
        if a & mask != b & mask { return false }
        left -= 8
      }
      return true
    }

    /// Whether `host` (a `--bind` host) is a loopback address.
    public static func isLoopback(_ host: String) -> Bool {
      if host == "localhost" { return true }
      guard let bytes = address(host) else { return false }
      return bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
  }
}

/// The tokens that tie a form to the person it was made for and the URL it posts to, so that
/// another site cannot make a signed-in person's browser post an edit: an HMAC-SHA256 of
/// both under a key made when the process starts (a restart invalidates open forms).
enum FormToken {
  static let key = SymmetricKey(size: .bits256)

  static func message(person: String, target: String) -> Data { Data((person + "\n" + target).utf8) }

  /// The token for `person` posting to `target` (a path), base64url.
  static func make(person: String, target: String) -> String {
    let code = HMAC<SHA256>.authenticationCode(for: message(person: person, target: target), using: key)
    return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }

  /// Whether `token` is the one for `person` and `target` (compared in constant time).
  static func isValid(_ token: String?, person: String, target: String) -> Bool {
    guard let token, !token.isEmpty, token.count < 100 else { return false }
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let code = Data(base64Encoded: base64) else { return false }
    return HMAC<SHA256>.isValidAuthenticationCode(
      code, authenticating: message(person: person, target: target), using: key)
  }
}

/// A form's fields, as `application/x-www-form-urlencoded` sends them.
struct FormBody {
  private(set) var fields: [(String, String)] = []

  init(_ bytes: [UInt8]) {
    for part in String(decoding: bytes, as: UTF8.self).split(separator: "&") {
      let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decoded(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
      }
      fields.append((decoded(pieces[0]), pieces.count > 1 ? decoded(pieces[1]) : ""))
    }
  }

  subscript(name: String) -> String? { fields.first { $0.0 == name }?.1 }
}
