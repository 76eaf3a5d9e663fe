import Foundation

/// Where to export: a PostgreSQL connection URL in libpq's form,
/// `postgres://user:password@host:port/database?sslmode=disable`. What the URL leaves out comes
/// from libpq's environment variables (`PGUSER`, `PGPASSWORD`, `PGHOST`, `PGPORT`,
/// `PGDATABASE`) and then libpq's defaults, so a URL that works with `psql` works here.
public struct PostgresURL: Sendable, CustomStringConvertible {
  public enum SSLMode: String, Sendable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
  }

  public var host: String
  public var port: Int
  public var user: String
  public var password: String?
  public var database: String
  public var sslMode: SSLMode
  /// Seconds to wait for the server to answer a connection.
  public var connectTimeout: Int

  /// A Unix-domain socket directory (a host that starts with `/`).
  public var socketPath: String? { host.hasPrefix("/") ? host + "/.s.PGSQL.\(port)" : nil }

  /// The URL without its password, for messages.
  public var description: String {
    let place =
      host.hasPrefix("/") ? "localhost:\(port)?host=\(host)" : "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    return "postgres://\(user)@\(place)/\(database)"
  }

  public struct Problem: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Problem) {
    func fail(_ why: String) -> Problem {
      Problem(description: "not a PostgreSQL URL (\(why)): \(Self.redacted(text))")
    }
    var rest = Substring(text)
    if rest.hasPrefix("postgresql://") {
      rest = rest.dropFirst("postgresql://".count)
    } else if rest.hasPrefix("postgres://") {
      rest = rest.dropFirst("postgres://".count)
    } else {
      throw fail("it must start with postgres:// or postgresql://")
    }
    var parameters: [String: String] = [:]
    if let question = rest.firstIndex(of: "?") {
      for pair in rest[rest.index(after: question)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let key = Self.decode(parts[0]), let value = Self.decode(parts[1]) else {
          throw fail("the parameter '\(pair)' is not name=value")
        }
        parameters[key] = value
      }
      rest = rest[..<question]
    }
    var path: Substring = ""
    if let slash = rest.firstIndex(of: "/") {
      path = rest[rest.index(after: slash)...]
      rest = rest[..<slash]
    }
    var user: String?
    var password: String?
    if let at = rest.lastIndex(of: "@") {
      let info = rest[..<at]
      rest = rest[rest.index(after: at)...]
      let parts = info.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      guard let name = Self.decode(parts[0]) else { throw fail("the user name is badly escaped") }
      user = name.isEmpty ? nil : name
      if parts.count == 2 {
        guard let secret = Self.decode(parts[1]) else { throw fail("the password is badly escaped") }
        password = secret
      }
    }
    var host: String?
    var port: Int?
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { throw fail("an IPv6 address needs its closing ]") }
      host = String(rest[rest.index(after: rest.startIndex)..<close])
      rest = rest[rest.index(after: close)...]
      if rest.hasPrefix(":") {
        guard let number = Int(rest.dropFirst()) else { throw fail("the port is not a number") }
        port = number
      } else if !rest.isEmpty {
        throw fail("unexpected text after the address")
      }
    } else if let colon = rest.firstIndex(of: ":") {
      guard let number = Int(rest[rest.index(after: colon)...]) else { throw fail("the port is not a number") }
      port = number
      host = String(rest[..<colon])
    } else if !rest.isEmpty {
      host = String(rest)
    }
    if let decoded = Self.decode(path), !decoded.isEmpty { parameters["dbname"] = parameters["dbname"] ?? decoded }
    let known: Set = ["sslmode", "host", "port", "user", "password", "dbname", "connect_timeout", "application_name"]
    if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
      throw fail("unknown parameter '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
    }
    if let value = parameters["host"] { host = value }
    if let value = parameters["port"] {
      guard let number = Int(value) else { throw fail("the port is not a number") }
      port = number
    }
    self.host = host.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGHOST"] ?? "localhost"
    self.port = port ?? environment["PGPORT"].flatMap { Int($0) } ?? 5432
    guard (1...65535).contains(self.port) else { throw fail("the port must be 1 to 65535") }
    self.user =
      parameters["user"] ?? user ?? environment["PGUSER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "postgres"
    self.password = parameters["password"] ?? password ?? environment["PGPASSWORD"]
    self.database = parameters["dbname"] ?? environment["PGDATABASE"] ?? self.user
    let mode = parameters["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer"
    guard let sslMode = SSLMode(rawValue: mode) else {
      throw fail("sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
    }
    self.sslMode = sslMode
    if let value = parameters["connect_timeout"] {
      guard let seconds = Int(value), seconds >= 0 else { throw fail("connect_timeout is not a number of seconds") }
      connectTimeout = seconds == 0 ? 10 : seconds
    } else {
      connectTimeout = 10
    }
  }

  static func decode<S: StringProtocol>(_ text: S) -> String? { String(text).removingPercentEncoding }

  /// The text with any password replaced by `***`, for messages.
  public static func redacted(_ text: String) -> String {
    guard let scheme = text.range(of: "://") else { return text }
    let afterScheme = text[scheme.upperBound...]
    let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
    var result = text
    if let at = afterScheme[..<authorityEnd].lastIndex(of: "@"),
      let colon = afterScheme[..<at].firstIndex(of: ":")
    {
      result.replaceSubrange(result.index(after: colon)..<at, with: "***")
    }
    if let range = result.range(of: "password=") {
      let end = result[range.upperBound...].firstIndex(of: "&") ?? result.endIndex
      result.replaceSubrange(range.upperBound..<end, with: "***")
    }
    return result
  }
}
