import Foundation

/// What a distribution API request asks for, in words (for messages about a request that failed):
/// `…/v2/a/b/manifests/v1` → "manifest a/b:v1".
enum RequestSubject {
    static func describe(_ url: String) -> String {
        guard let path = URLComponents(string: url)?.path, let range = path.range(of: "/v2/") else { return "a token" }
        let inner = path[range.upperBound...]
        if inner.isEmpty { return "the API check (/v2/)" }
        let parts: [(marker: String, words: (Substring, Substring) -> String)] = [
            ("/blobs/uploads", { name, _ in "the upload session of \(name)" }),
            ("/manifests/", { name, reference in "manifest \(name)\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference)" }),
            ("/blobs/", { name, digest in "blob \(digest) of \(name)" }),
            ("/tags/list", { name, _ in "the tag list of \(name)" }),
            ("/referrers/", { name, digest in "the referrers of \(name)@\(digest)" }),
        ]
        for part in parts {
            if let marker = inner.range(of: part.marker) {
                return part.words(inner[..<marker.lowerBound], inner[marker.upperBound...])
            }
        }
        return String(inner)
    }
}
