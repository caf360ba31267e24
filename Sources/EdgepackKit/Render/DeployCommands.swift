import Foundation

/// Ready-to-paste commands for running a published pipeline, built as Wallaroo's SDK builds them
/// (`pipeline_publish.py`, `_generate_commands`): `--cpus`/`--memory` summed over the engine and its sidekicks,
/// GPU flags, `-p $EDGE_PORT:8080`, `CONFIG_CPUS=max(1, ceil(cpus))`, `helm install --atomic`. Credentials,
/// port, release name and namespace stay environment placeholders; nothing here contains a secret.
public struct DeployCommands: Sendable, Equatable, Codable {
    public var dockerRun: String
    public var podmanRun: String
    public var helmInstall: String
    public var composeUp: String
    /// The engine's `-e` settings beyond the credentials (Wallaroo's `docker_run_variables`).
    public var dockerRunVariables: [String: String]

    init(release: Release, layout: RegistryLayout) {
        let version = release.version
        let config = EngineConfig(release.deployment, engineImage: release.engine.image)
        let variables = ["PIPELINE_URL": layout.pipeline(release.name, version), "OCI_REGISTRY": layout.host]
        dockerRunVariables = variables
        let totals = RunTotals(config)
        let run = { (tool: String, gpuFlags: [String], mounts: [String]) in
            let lines = ["\(tool) run", "-p $EDGE_PORT:8080", #"-e OCI_USERNAME="$OCI_USERNAME""#, #"-e OCI_PASSWORD="$OCI_PASSWORD""#]
                + variables.sorted { $0.key < $1.key }.map { "-e \($0.key)=\($0.value)" }
                + [(["-e CONFIG_CPUS=\(totals.configCPUs)"] + gpuFlags + ["--cpus=\(totals.cpusText)", "--memory=\(totals.memoryText)"]).joined(separator: " ")]
                + mounts
                + [release.engineLocation(in: layout).reference]
            return lines.joined(separator: " \\\n    ")
        }
        // Podman mounts each model image (if built) read-only where the chart's imageVolume puts it: the image's
        // models/NAME folder (`subpath`, podman 5) at /models/NAME. It mounts only images it holds, so the command
        // pulls them first.
        let modelImages = release.modelImageReferences(in: layout)
        let modelMounts = modelImages.map {
            "--mount type=image,source=\($0.reference),destination=/models/\($0.model),subpath=models/\($0.model)"
        }
        dockerRun = run("docker", totals.gpuFlags(podman: false), [])
        podmanRun = modelImages.map { "podman pull -q \($0.reference) && \\\n" }.joined() + run("podman", totals.gpuFlags(podman: true), modelMounts)
        helmInstall = [
            "helm install --atomic $HELM_INSTALL_NAME",
            "oci://\(layout.chartRepository(release.name))",
            "--namespace $HELM_INSTALL_NAMESPACE",
            "--version \(RegistryLayout.chartVersion(version))",
            #"--set ociRegistry.username="$OCI_USERNAME""#,
            #"--set ociRegistry.password="$OCI_PASSWORD""#,
        ].joined(separator: " \\\n    ")
        composeUp = "docker compose -f oci://\(layout.compose(release.name, version)) up"
    }

    /// DEPLOY.md: the commands with a sentence each.
    func markdown(pipeline name: String, version: String) -> String {
        """
        # Deploying \(name) \(version)

        Every command reads the registry credentials from `OCI_USERNAME` and `OCI_PASSWORD` in your shell;
        export them first (nothing here contains a secret). Docker and Podman also read `EDGE_PORT` (the host port
        for inference); Helm reads `HELM_INSTALL_NAME` and `HELM_INSTALL_NAMESPACE` (an existing namespace).

        ## Docker

        ```sh
        \(dockerRun)
        ```

        ## Podman

        ```sh
        \(podmanRun)
        ```

        ## Kubernetes, with Helm

        ```sh
        \(helmInstall)
        ```

        Or from the files here: `helm install \(name) ./chart/\(name) --set ociRegistry.username=… --set ociRegistry.password=…`.

        ## docker compose

        Copy `.env.example` to `.env`, fill it in, then `docker compose up` in this folder, or straight from the registry:

        ```sh
        \(composeUp)
        ```

        """
    }
}
