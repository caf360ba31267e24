/// Ready-to-paste commands for running a published pipeline; credentials stay `$OCI_USERNAME`/`$OCI_PASSWORD`.
public struct DeployCommands: Sendable, Equatable, Codable {
    public var dockerRun: String
    public var podmanRun: String
    public var helmInstall: String
    public var composeUp: String

    init(definition: PipelineDefinition, version: String, layout: RegistryLayout) {
        let cpus = NumberText.format(definition.deployment.resources.cpus)
        let run = { (tool: String) in
            """
            \(tool) run -p 8080:8080 \\
                -e OCI_REGISTRY=\(layout.host) \\
                -e OCI_USERNAME="$OCI_USERNAME" -e OCI_PASSWORD="$OCI_PASSWORD" \\
                -e PIPELINE_URL=\(layout.pipeline(definition.name, version)) \\
                -e CONFIG_CPUS=\(cpus) -e CONFIG_MEMORY=\(definition.deployment.resources.memory) \\
                -v edgepack-persist:/persist \\
                \(definition.engine.image)
            """
        }
        dockerRun = run("docker")
        podmanRun = run("podman")
        helmInstall = """
            helm install \(definition.name) oci://\(layout.chartRepository(definition.name)) \\
                --version \(RegistryLayout.chartVersion(version)) \\
                --namespace \(definition.name) --create-namespace \\
                --set ociRegistry.username="$OCI_USERNAME" --set ociRegistry.password="$OCI_PASSWORD"
            """
        composeUp = "docker compose -f oci://\(layout.compose(definition.name, version)) up"
    }

    /// DEPLOY.md: the commands with a sentence each.
    func markdown(pipeline name: String, version: String) -> String {
        """
        # Deploying \(name) \(version)

        Every command reads the registry credentials from `OCI_USERNAME` and `OCI_PASSWORD` in your shell;
        export them first (nothing here contains a secret).

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
