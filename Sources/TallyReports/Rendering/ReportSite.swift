import TallyRecords

/// `tally report all --html DIR`: an index page and one page per report, linked to each
/// other, each self-contained, in the reports' language.
public enum ReportSite {
  /// Writes the site and returns the files written (relative to `directory`).
  public static func write(_ reports: [Report], to directory: String) throws -> [String] {
    try FileSystem.createDirectory(directory)
    let w = reports.first?.language ?? .en
    let navigation =
      "<nav><a href=\"index.html\">\(w("Index", "目录"))</a>"
      + reports.map { "<a href=\"\($0.name).html\">\(HTMLRenderer.escape($0.name))</a>" }.joined() + "</nav>\n"
    var written: [String] = []
    for report in reports {
      let file = "\(report.name).html"
      try FileSystem.writeAtomically(
        directory + "/" + file, Array(HTMLRenderer.page(report, navigation: navigation).utf8))
      written.append(file)
    }
    let heading = w("Team reports", "团队报表")
    var index = "<!DOCTYPE html>\n<html lang=\"\(w.htmlTag)\">\n<head>\n<meta charset=\"utf-8\">\n"
    index += "<title>\(heading)</title>\n<style>\n\(HTMLRenderer.style)\n</style>\n</head>\n<body>\n"
    index += "<h1>\(heading)</h1>\n"
    if let first = reports.first {
      index +=
        "<p class=\"meta\">\(w("Computed at", "计算于")) <code>\(first.commit.prefix(7))</code> (\(HTMLRenderer.escape(first.commitDate)))</p>\n"
    }
    index += "<ul>\n"
    for report in reports {
      index += "<li><a href=\"\(report.name).html\">\(HTMLRenderer.escape(report.title))</a></li>\n"
    }
    index += "</ul>\n</body>\n</html>\n"
    try FileSystem.writeAtomically(directory + "/index.html", Array(index.utf8))
    return ["index.html"] + written
  }
}
