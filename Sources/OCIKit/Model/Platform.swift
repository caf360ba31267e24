/// An OCI platform (image-spec `platform`): what an image in an index runs on.
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String = "linux", architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// `os/architecture[/variant]`, e.g. `linux/arm64` or `linux/arm/v7`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw OCIError(.invalidReference, "invalid platform '\(text)': expected os/architecture[/variant], e.g. linux/amd64")
        }
        self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
    }

    public var description: String {
        "\(os)/\(architecture)" + (variant.map { "/\($0)" } ?? "")
    }

    /// Whether an index entry for `candidate` serves this platform. A variant asked for must match (arm64's
    /// default variant is v8); none asked for accepts any.
    public func accepts(_ candidate: Platform) -> Bool {
        guard os == candidate.os, architecture == candidate.architecture else { return false }
        guard let variant else { return true }
        return variant == (candidate.variant ?? (architecture == "arm64" ? "v8" : nil))
    }
}

/// Which part of a multi-platform image to copy.
public enum PlatformChoice: Sendable, Hashable, CustomStringConvertible {
    /// That platform's own manifest (an image that is not an index is taken as it is).
    case only(Platform)
    /// The whole index, every platform.
    case all

    public var description: String {
        switch self {
        case .only(let platform): platform.description
        case .all: "all platforms"
        }
    }
}
