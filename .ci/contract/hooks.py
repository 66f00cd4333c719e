"""Schemathesis hooks for the mediation-tracker contract run (loaded through SCHEMATHESIS_HOOKS).

A list's `cursor` is opaque: only a `next_cursor` the service issued is a valid one, which no
schema can describe. Generated cursors would make every list a 400 `invalid_cursor` and hide
the rest of the list's behaviour, so they are dropped; the stateful phase still follows real
`next_cursor` values through links. (The coverage phase does not run hooks; it sends an empty
`cursor=`, which the service treats as no cursor.)
"""

import schemathesis


@schemathesis.hook
def map_query(context, query):
    if query:
        query.pop("cursor", None)
    return query
