import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TallyRecords
import TallyReports

/// The interface language: the reports' own (``ReportLanguage``), so a page and its report
/// speak the same.
public typealias Language = ReportLanguage

extension ReportLanguage {
  /// The first of the browser's `Accept-Language` tags that is Chinese or English (by quality);
  /// nil when it names neither.
  public static func preferred(by header: String?) -> ReportLanguage? {
    guard let header else { return nil }
    let tags = header.split(separator: ",").compactMap { part -> (String, Double)? in
      let pieces = part.split(separator: ";")
      guard let tag = pieces.first?.trimmingCharacters(in: .whitespaces).lowercased(), !tag.isEmpty else { return nil }
      var quality = 1.0
      for piece in pieces.dropFirst() {
        let setting = piece.trimmingCharacters(in: .whitespaces)
        if setting.hasPrefix("q="), let value = Double(setting.dropFirst(2)) { quality = value }
      }
      return (tag, quality)
    }
    for (tag, quality) in tags.sorted(by: { $0.1 > $1.1 }) where quality > 0 {
      if tag == "zh" || tag.hasPrefix("zh-") { return .zh }
      if tag == "en" || tag.hasPrefix("en-") { return .en }
    }
    return nil
  }

  /// The HTML `lang` attribute.
  var tag: String { htmlTag }
}

/// Responses.
enum Page {
  static func response(_ status: HTTPResponse.Status = .ok, type: String, _ body: String) -> Response {
    Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
  }

  static func response(_ status: HTTPResponse.Status = .ok, type: String, bytes: [UInt8]) -> Response {
    Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }

  static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    response(status, type: "text/html; charset=utf-8", body)
  }

  static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
    response(status, type: "application/json", bytes: bytes)
  }

  static func csv(_ bytes: [UInt8]) -> Response { response(type: "text/csv; charset=utf-8", bytes: bytes) }

  static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
    response(status, type: "text/plain; charset=utf-8", body)
  }

  static func redirect(to location: String, status: HTTPResponse.Status = .seeOther) -> Response {
    Response(status: status, headers: [.location: location])
  }
}

/// The frame of every HTML page of the app: the stylesheet, the navigation, the commit the page
/// was made from (which the live-refresh script compares with the ref) and the script itself.
/// Everything put in is escaped by the caller; `escape` is ``HTMLRenderer/escape(_:)``.
struct Layout {
  let language: Language
  /// The commit the page shows.
  let commit: String
  /// The ref served and whether it may be edited here.
  let ref: String
  let access: TallyServer.Access

  static let escape = HTMLRenderer.escape

  /// A whole page. `body` is HTML; `title` is text.
  func page(title: String, body: String, current: String? = nil) -> String {
    let e = Self.escape
    let w = language
    var html = "<!DOCTYPE html>\n<html lang=\"\(w.tag)\">\n<head>\n<meta charset=\"utf-8\">\n"
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    html += "<meta name=\"tally-commit\" content=\"\(e(commit))\">\n"
    html += "<title>\(e(title)) · Tally</title>\n"
    html += "<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/assets/tally.css\">\n"
    html += "<script src=\"/assets/live.js\" defer></script>\n</head>\n<body>\n"
    html += "<header><nav>"
    let items = [
      ("/", w("Dashboard", "概览")), ("/reports", w("Reports", "报表")), ("/search", w("Search", "搜索")),
      ("/sql", "SQL"), ("/me", w("My day", "我的一天")),
    ]
    for (href, label) in items {
      let marker = current == href ? " aria-current=\"page\"" : ""
      html += "<a href=\"\(href)\"\(marker)>\(e(label))</a>"
    }
    html += "</nav><span class=\"ref\">\(e(ref)) <code>\(e(String(commit.prefix(7))))</code>"
    if access == .view { html += " · " + e(w("view only", "只读")) }
    html += "</span></header>\n"
    let changed = w("The records changed since this page was made.", "此页面生成后记录已有更新。")
    html += "<p id=\"live\" class=\"live\" hidden>\(e(changed))"
    html += " <a href=\"\">\(e(w("Reload", "刷新")))</a></p>\n"
    html += "<main>\n<h1>\(e(title))</h1>\n\(body)</main>\n</body>\n</html>\n"
    return html
  }
}
