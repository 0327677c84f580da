"""The GraphQL API: a Strawberry schema over the same domain services as the REST API."""
