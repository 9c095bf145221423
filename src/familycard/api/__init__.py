"""The GraphQL API (strawberry on Starlette). Built in the API issue; nothing here yet."""
