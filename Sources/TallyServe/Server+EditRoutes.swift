import HTTPTypes
import Hummingbird

extension TallyServer {
  /// The editing routes (docs/serve-editing.md): `GET` a form, `POST` it back. In view-only
  /// mode the forms answer 403 and every POST is refused before it gets here (405).
  static func editRoutes(_ router: Router<ServeContext>, site: Site) {
    for method in [HTTPRequest.Method.get, .head] {
      router.on("/proposals", method: method) { request, context in try await site.proposalsPage(request, context) }
      router.on("/{type}/{id}/edit", method: method) { request, context in
        try await site.form(
          type: context.parameters.require("type"), id: context.parameters.require("id"), list: nil, request, context)
      }
      router.on("/{type}/{id}/add/{list}", method: method) { request, context in
        try await site.form(
          type: context.parameters.require("type"), id: context.parameters.require("id"),
          list: context.parameters.require("list"), request, context)
      }
    }
    router.post("/{type}/{id}/edit") { request, context in
      let body = try await request.body.collect(upTo: context.maxUploadSize)
      return try await site.save(
        type: context.parameters.require("type"), id: context.parameters.require("id"), list: nil,
        body: Array(buffer: body), request, context)
    }
    for action in ["apply", "reject"] {
      router.post("/proposals/{number}/\(action)") { request, context in
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        return try await site.decide(
          context.parameters.require("number"), apply: action == "apply", body: Array(buffer: body), request, context)
      }
    }
    router.post("/{type}/{id}/add/{list}") { request, context in
      let body = try await request.body.collect(upTo: context.maxUploadSize)
      return try await site.save(
        type: context.parameters.require("type"), id: context.parameters.require("id"),
        list: context.parameters.require("list"), body: Array(buffer: body), request, context)
    }
  }
}
