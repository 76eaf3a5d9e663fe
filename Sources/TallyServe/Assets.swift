import HTTPTypes
import Hummingbird
import TallyReports

/// The app's stylesheet and its one script, served from `/assets/` (so the
/// Content-Security-Policy can forbid inline script).
enum Assets {
  static func response(_ name: String) -> Response {
    var response: Response
    switch name {
    case "tally.css": response = Page.response(type: "text/css; charset=utf-8", stylesheet)
    case "live.js": response = Page.response(type: "text/javascript; charset=utf-8", liveScript)
    default: return Page.text(.notFound, "no asset '\(name)'\n")
    }
    response.headers[.cacheControl] = "max-age=300"
    return response
  }

  /// Phone first: one column, tables that scroll inside their own box, inputs a thumb can hit.
  static let stylesheet = """
    *{box-sizing:border-box}
    body{font-family:-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;\
    margin:0;color:#1f2328;background:#fff;line-height:1.45}
    header{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem 1rem;padding:.5rem 1rem;\
    background:#f6f8fa;border-bottom:1px solid #d0d7de}
    header nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}header nav a{text-decoration:none;color:#0969da;\
    padding:.35rem 0}header nav a[aria-current]{font-weight:600;color:#1f2328}
    header .ref{color:#59636e;font-size:.85rem;margin-left:auto}
    main{max-width:1100px;margin:0 auto;padding:.5rem 1rem 3rem}
    h1{font-size:1.5rem;margin:.8rem 0 .3rem}h2{font-size:1.15rem;margin-top:1.8rem;\
    border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
    .meta,.note{color:#59636e;font-size:.9rem}
    .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
    table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
    th,td{padding:.35rem .7rem;border-bottom:1px solid #e6e8eb;text-align:left;vertical-align:top}
    th{background:#f6f8fa;font-weight:600;white-space:nowrap}td.n,th.n{text-align:right;\
    font-variant-numeric:tabular-nums}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.8rem;margin:.8rem 0}
    .card{border:1px solid #d0d7de;border-radius:6px;padding:.7rem .9rem}.card h2{margin-top:0;border:0;\
    font-size:1rem}.card .big{font-size:1.7rem;font-weight:600}
    .live{background:#fff8c5;border-bottom:1px solid #d4a72c;margin:0;padding:.5rem 1rem}
    .error{color:#cf222e}.ok{color:#1a7f37}.warn{color:#9a6700}
    form.edit label{display:block;margin:.6rem 0 .2rem;font-weight:600}
    input,select,textarea,button{font:inherit;font-size:1rem}
    input,select,textarea{width:100%;max-width:32rem;padding:.5rem;border:1px solid #d0d7de;border-radius:6px}
    input[type=radio],input[type=checkbox]{width:auto;margin:0 .6rem 0 0;transform:scale(1.3)}
    form.edit fieldset label{display:flex;align-items:center;font-weight:400;min-height:2.5rem}
    fieldset{border:1px solid #d0d7de;border-radius:6px;margin:.8rem 0}
    button{padding:.55rem 1.2rem;border-radius:6px;border:1px solid #1f883d;background:#1f883d;color:#fff;\
    min-height:2.75rem;margin-top:.8rem}
    form.search{display:flex;gap:.5rem;flex-wrap:wrap}form.search input{flex:1;min-width:12rem}
    form.search button{margin-top:0}
    code,pre,textarea.sql{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88rem}
    pre{background:#f6f8fa;padding:.6rem;overflow-x:auto}
    ins{background:#dafbe1;text-decoration:none}del{background:#ffebe9}
    svg{display:block;margin:.6rem 0 1rem;max-width:100%;height:auto}svg text{font-size:11px;fill:#424a53}
    @media (max-width:600px){main{padding:.3rem .7rem 2rem}h1{font-size:1.3rem}table{font-size:.85rem}\
    th,td{padding:.3rem .45rem}}
    """

  /// The live refresh: when the ref moves, a page without a form being edited reloads itself;
  /// a page with one shows a notice instead (the edit is merged when it is saved). While the
  /// server is still making the new commit's page it answers with the earlier one, so a page
  /// that comes back unchanged tries again after 1, 2, 4, 8 and 16 s, then shows the notice.
  /// Pages work without it.
  static let liveScript = """
    (function () {
      var meta = document.querySelector('meta[name="tally-commit"]');
      if (!meta || !window.EventSource) return;
      var shown = meta.getAttribute('content');
      var editing = false;
      document.addEventListener('input', function () { editing = true; });
      var source = new EventSource('/events');
      // A page left (or kept in the back-forward cache) lets its connection go: browsers
      // allow only a few per server.
      window.addEventListener('pagehide', function () { source.close(); });
      function notice() {
        var element = document.getElementById('live');
        if (element) element.hidden = false;
      }
      function tries(commit) {
        try {
          var last = JSON.parse(sessionStorage.getItem('tally-reload') || '{}');
          return last.commit === commit && last.page === location.href ? last.n : 0;
        } catch (error) { return 0; }
      }
      var timer = null;
      source.addEventListener('ref', function (event) {
        if (timer) { clearTimeout(timer); timer = null; }
        if (event.data === shown) return;
        if (editing || document.querySelector('form.edit')) return notice();
        var n = tries(event.data);
        if (n > 5) return notice();
        try {
          sessionStorage.setItem('tally-reload', JSON.stringify({ commit: event.data, page: location.href, n: n + 1 }));
        } catch (error) { if (n > 0) return notice(); }
        timer = setTimeout(function () { window.location.reload(); }, n === 0 ? 0 : 1000 * Math.pow(2, n - 1));
      });
    })();

    """
}
