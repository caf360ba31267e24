/// The small formats a definition's values must follow.
enum ValueFormat {
    /// One OCI repository path component: `[a-z0-9]+([._-][a-z0-9]+)*` (and `__` as in distribution).
    static func isPathComponent(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 128 else { return false }
        return text.wholeMatch(of: /[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*/) != nil
    }

    /// A UUID in its 8-4-4-4-12 hex form.
    static func isUUID(_ text: String) -> Bool {
        text.wholeMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/) != nil
    }

    /// A Kubernetes resource quantity such as `512Mi`, `4Gi`, `1.5G` or `1e9`.
    static func isQuantity(_ text: String) -> Bool {
        text.wholeMatch(of: /\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?/) != nil
    }

    /// An image reference as `docker pull` takes it: `[host[:port]/]path[:tag][@digest]`.
    static func isImageReference(_ text: String) -> Bool {
        text.wholeMatch(of: /(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?/) != nil
    }
}
