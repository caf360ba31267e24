import OCIKit

/// compose.yaml and .env.example, and the compose file as docker compose's own OCI artifact
/// (`docker compose -f oci://…` reads it).
public struct RenderedCompose: Sendable {
    public var yaml: [UInt8]
    public var envExample: [UInt8]
    public var artifact: Artifact
}

struct ComposeRenderer {
    func render(_ release: Release, layout: RegistryLayout) throws -> RenderedCompose {
        let version = release.version
        let resources = release.deployment.resources
        let environment: [(key: String, value: String)] = [
            ("PIPELINE_URL", layout.pipeline(release.name, version)),
            ("OCI_REGISTRY", layout.host),
            ("OCI_USERNAME", "${OCI_USERNAME}"),
            ("OCI_PASSWORD", "${OCI_PASSWORD}"),
            ("CONFIG_CPUS", NumberText.format(resources.cpus)),
            ("CONFIG_MEMORY", resources.memory),
        ]
        let (deploy, devices) = ComposeFile.deploy(resources, accel: release.deployment.accel)
        var engine = ComposeFile.Service(image: release.engineLocation(in: layout).reference, environment: OrderedMapping(environment), devices: devices, deploy: deploy)
        engine.volumes? += release.modelImageReferences(in: layout).map {
            .image(source: $0.reference, target: "/models/\($0.model)", subpath: "models/\($0.model)")
        }
        let sidekicks = release.deployment.sidekicks.sorted { $0.model < $1.model }.compactMap { sidekick -> (String, ComposeFile.Service)? in
            guard let image = release.sidekickLocation(sidekick, in: layout)?.reference else { return nil }
            let (deploy, devices) = ComposeFile.deploy(sidekick.resources, accel: sidekick.accel)
            return ("sidekick-" + sidekick.model, ComposeFile.Service(
                image: image, ports: nil, environment: OrderedMapping([("MODEL_NAME", sidekick.model)]), devices: devices,
                deploy: deploy, volumes: nil, healthcheck: nil
            ))
        }
        let file = ComposeFile(services: OrderedMapping([("engine", engine)] + sidekicks), volumes: OrderedMapping([("persist", OrderedMapping())]))
        let yaml = try YAMLText.encode(file)
        let envExample = Array("""
        # Copy to .env (next to compose.yaml) and fill in; docker compose reads it. Keep .env out of version control.
        OCI_USERNAME=
        OCI_PASSWORD=

        """.utf8)

        let layer = Blob(mediaType: MediaType.Compose.file, bytes: yaml, annotations: [
            "com.docker.compose.file": "compose.yaml",
            AnnotationKey.title: "compose.yaml",
        ])
        let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        let manifest = Manifest(artifactType: MediaType.Compose.artifactType, config: config.descriptor, layers: [layer.descriptor],
                                annotations: [AnnotationKey.title: release.name, AnnotationKey.version: version])
        let artifact = try Artifact(reference: "compose/\(release.name):\(version)", manifest: manifest, config: config, layers: [layer])
        return RenderedCompose(yaml: yaml, envExample: envExample, artifact: artifact)
    }
}
