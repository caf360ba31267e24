"""scripts/test-registry's parts: tokens (the token server), quirks (the proxies' rules and counters),
proxy (the request handler of the "flaky" and "quirky" proxies), registries (the distribution processes, main)."""
