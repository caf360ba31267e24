/// A layout may leave out blobs on purpose (a delta bundle leaves out what its site already holds). These find
/// what it references but does not carry.
extension ImageLayoutSource {
    /// Whether the layout carries the blob; layouts that cannot tell say yes (and fail when it is read).
    public func carries(_ digest: Digest) -> Bool {
        (self as? ImageLayoutBundle)?.contains(digest) ?? true
    }

    /// A blob the layout carries; one it does not is a stand-in that holds no bytes (a copy checks that its
    /// destination has it before anything moves, and never reads the stand-in).
    func blobOrStandIn(_ descriptor: Descriptor) throws -> Blob {
        carries(descriptor.digest) ? try blob(descriptor) : Blob(descriptor: descriptor, content: .bytes([]))
    }

    /// Every blob the layout's manifests (and their indexes' children) reference but the layout does not carry,
    /// each once, in the order met. Empty for a complete layout.
    public func absentBlobs() throws -> [Descriptor] {
        var seen = Set<Digest>(), absent: [Descriptor] = []
        func visit(_ descriptor: Descriptor, depth: Int) throws {
            guard depth < 8, seen.insert(descriptor.digest).inserted else { return }
            guard carries(descriptor.digest) else {
                absent.append(descriptor)
                return
            }
            switch try ManifestContent(try bytes(descriptor), mediaType: descriptor.mediaType) {
            case .index(let index):
                for child in index.manifests { try visit(child, depth: depth + 1) }
            case .manifest(let manifest):
                for blob in [manifest.config] + manifest.layers where seen.insert(blob.digest).inserted && !carries(blob.digest) {
                    absent.append(blob)
                }
            }
        }
        for entry in index.manifests { try visit(entry, depth: 0) }
        return absent
    }

    /// Every blob digest the layout's manifests reference (carried or not), manifests included.
    public func referencedDigests() throws -> Set<Digest> {
        Set(try referencedBlobs().keys)
    }

    /// Every blob the layout's manifests reference (carried or not), manifests included, with its size.
    public func referencedBlobs() throws -> [Digest: Int64] {
        var blobs: [Digest: Int64] = [:]
        func visit(_ descriptor: Descriptor, depth: Int) throws {
            guard depth < 8, blobs.updateValue(descriptor.size, forKey: descriptor.digest) == nil, carries(descriptor.digest) else { return }
            switch try ManifestContent(try bytes(descriptor), mediaType: descriptor.mediaType) {
            case .index(let index):
                for child in index.manifests { try visit(child, depth: depth + 1) }
            case .manifest(let manifest):
                for blob in [manifest.config] + manifest.layers { blobs[blob.digest] = blob.size }
            }
        }
        for entry in index.manifests { try visit(entry, depth: 0) }
        return blobs
    }
}
