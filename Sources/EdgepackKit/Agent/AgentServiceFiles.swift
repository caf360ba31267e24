import Foundation

/// What `edgepack render` writes for a site that runs the agent: `edgepack-agent.service` (systemd) and an example
/// `agent.yaml` following the pipeline's `prod` channel with podman. No credentials: the unit reads them from
/// `/etc/edgepack/agent.env` (OCI_USERNAME, OCI_PASSWORD), which the site writes itself (0600).
public enum AgentServiceFiles {
    public static func agentYAML(pipeline: String, layout: RegistryLayout) -> String {
        """
        # edgepack agent --config /etc/edgepack/agent.yaml: follows a channel at this site (see docs/agent.md).
        # Keys are the agent's long options without "--"; options given on the command line win.
        registry: \(layout.prefix)
        pipeline: \(pipeline)
        channel: prod
        runtime: podman
        interval: 30s
        keep: 3
        health-timeout: 60s
        # verify-key: /etc/edgepack/cosign.pub
        # site: store-042
        # report-registry: \(layout.prefix)

        """
    }

    public static let systemdUnit = """
        [Unit]
        Description=edgepack agent: follows a pipeline channel, applies, health-checks and rolls back
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=simple
        EnvironmentFile=-/etc/edgepack/agent.env
        ExecStart=/usr/local/bin/edgepack agent --config /etc/edgepack/agent.yaml --state /var/lib/edgepack
        # SIGTERM stops the agent at a safe point (exit 143); the running engine keeps running.
        KillSignal=SIGTERM
        # Only the agent: podman's conmon and what an apply command started stay in this unit's cgroup.
        KillMode=process
        SuccessExitStatus=143
        TimeoutStopSec=90
        Restart=on-failure
        RestartSec=10
        StateDirectory=edgepack
        StateDirectoryMode=0700

        [Install]
        WantedBy=multi-user.target

        """
}
