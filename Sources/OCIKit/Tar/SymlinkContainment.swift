/// Whether a symlink in an unpacked folder stays inside it once every link is in place, resolved as the kernel
/// would: each link followed from its own folder, `..` taken after links (so `s -> .` with `t -> s/..` leaves).
/// Checking each link's text alone is not enough, because a later entry can turn a name in its path into a link.
/// A name that does not exist is taken as it is written (a dangling link may not point outside either).
enum SymlinkContainment {
    /// As Linux's `MAXSYMLINKS`: more hops than this is a loop, refused like an escape.
    static let maximumHops = 40

    static func staysInside(root: String, linkName: String) -> Bool {
        var current: [Substring] = []
        var pending = Array(linkName.split(separator: "/").reversed())  // the link itself resolves first
        var hops = 0
        while let part = pending.popLast() {
            switch part {
            case ".":
                continue
            case "..":
                guard current.popLast() != nil else { return false }
            default:
                let path = root + "/" + (current + [part]).joined(separator: "/")
                guard let status = try? FileStatus(path: path, followLinks: false), status.isSymlink else {
                    current.append(part)
                    continue
                }
                hops += 1
                guard hops <= maximumHops, let target = try? DirectoryListing.readLink(path), !target.hasPrefix("/") else { return false }
                pending += target.split(separator: "/").reversed()
            }
        }
        return true
    }
}
