"""The online detection service's core (issue 8): banks over the store's hash sets, a versioned
in-memory index rebuilt in the background, API keys and rate limits, the query log, reports and
signed webhooks. The HTTP API in web/api is a thin adapter over ``DetectionService``."""
