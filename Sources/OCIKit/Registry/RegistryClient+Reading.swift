extension RegistryClient {
    /// Announces the repositories a job will read: the first request to them then goes out with a token (asked for
    /// once the registry's challenge is known), not answered 401 first.
    public func willRead(from repositories: [Repository]) {
        keeper.expect(repositories.map { Self.scope($0, "pull") })
    }
}
