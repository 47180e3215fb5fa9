"""The If-Match header as the OpenAPI document states it (api.openapi_errors).

Constants only, no imports: the S1 fuzz hooks (tests/contract/st_hooks.py) load this in every schemathesis
process, where the server's modules would cost seconds of start-up each.
"""

# What api.common.etag accepts: `*`, or a comma-separated list of (weak) entity tags. Visible ASCII only, as
# header values travel; anything else is a 400.
IF_MATCH_PATTERN = r'^[ \t]*(\*|(W/)?"[\x21\x23-\x7e]*"([ \t]*,[ \t]*(W/)?"[\x21\x23-\x7e]*")*)[ \t]*$'
IF_MATCH_EXAMPLE = '"3"'
# Names the shape for generators: one that knows the format (tests/contract/st_hooks.py) makes values from it;
# without it schemathesis narrows a header to letters and digits, which no entity tag is.
IF_MATCH_FORMAT = "entity-tag-list"
