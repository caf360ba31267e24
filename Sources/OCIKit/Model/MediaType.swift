/// Media types OCIKit reads and writes. Product-specific types live with the product (EdgepackKit).
public enum MediaType {
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    public static let imageConfig = "application/vnd.oci.image.config.v1+json"
    public static let imageLayout = "application/vnd.oci.layout.header.v1+json"
    public static let empty = "application/vnd.oci.empty.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"

    /// An OCI index or a Docker manifest list.
    public static func isIndex(_ mediaType: String) -> Bool { mediaType == imageIndex || mediaType == dockerManifestList }

    /// CNCF ModelPack (model-spec v1).
    public enum ModelPack {
        public static let artifactType = "application/vnd.cncf.model.manifest.v1+json"
        public static let config = "application/vnd.cncf.model.config.v1+json"
        public static let weightRaw = "application/vnd.cncf.model.weight.v1.raw"
        public static let weightTar = "application/vnd.cncf.model.weight.v1.tar"
    }

    /// Helm's OCI support (`helm push`).
    public enum Helm {
        public static let config = "application/vnd.cncf.helm.config.v1+json"
        public static let chartContent = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    }

    /// docker compose's OCI artifacts (`docker compose publish`).
    public enum Compose {
        public static let artifactType = "application/vnd.docker.compose.project"
        public static let file = "application/vnd.docker.compose.file+yaml"
        public static let envFile = "application/vnd.docker.compose.envfile"
    }
}

/// Annotation keys from the OCI image spec.
public enum AnnotationKey {
    public static let refName = "org.opencontainers.image.ref.name"
    public static let title = "org.opencontainers.image.title"
    public static let version = "org.opencontainers.image.version"
    public static let created = "org.opencontainers.image.created"
    public static let description = "org.opencontainers.image.description"
    public static let source = "org.opencontainers.image.source"
}
